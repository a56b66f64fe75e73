package io.asyncsql.benchmarks;

/**
 * What one measured cell of the {@link ClosedLoop} produced.
 *
 * @param opsPerSecond operations that succeeded per second of the measured time
 * @param p50Millis median latency of the successful operations
 * @param p99Millis 99th percentile latency of the successful operations
 * @param p99ToCohort 99th percentile of latency ÷ the median latency of the operations
 * that started in the same window (see {@link Cohorts})
 * @param cpuMicrosPerOp CPU time of this JVM per successful operation: the client side's
 * cost, which other processes on the machine disturb far less than throughput
 * @param gcMillis time the JVM's garbage collectors spent in pauses during the measured
 * time, which lands on whichever cell runs when a collection is due
 * @param allocatedBytesPerOp bytes the JVM's threads allocated per successful operation,
 * {@code -1} when the JVM does not tell
 * @param jitMillis time the JIT compilers spent during the measured time: a cell that
 * runs while code is still being compiled pays for it in CPU; {@code -1} when the JVM
 * does not tell
 * @param idleThreads live platform threads of the JVM before the cell started
 * @param peakThreads most live platform threads of the JVM during the measured time
 * @param failures operations that failed or were rejected during the measured time
 * @param firstFailure the first failure's message, or {@code null}
 * @param drained whether every operation in flight finished after the measured time
 */
record Measurement(double opsPerSecond, double p50Millis, double p99Millis, double p99ToCohort, double cpuMicrosPerOp,
		long gcMillis, double allocatedBytesPerOp, long jitMillis, int idleThreads, int peakThreads, long failures,
		String firstFailure, boolean drained) {

}
