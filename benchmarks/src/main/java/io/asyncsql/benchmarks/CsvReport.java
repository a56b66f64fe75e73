package io.asyncsql.benchmarks;

import java.util.Locale;

/**
 * The raw closed-loop cells, one line per round, for anyone who wants other statistics
 * than the medians.
 */
final class CsvReport {

	private CsvReport() {
	}

	static String render(Results results) {
		StringBuilder csv = new StringBuilder(
				"round,workload,in_flight,contender,ops_per_s,p50_ms,p99_ms,p99_to_cohort,cpu_us_per_op,gc_pause_ms,alloc_bytes_per_op,jit_ms,idle_threads,peak_threads,failures,drained\n");
		for (Results.Cell cell : results.cells()) {
			Measurement m = cell.measurement();
			csv.append(String.format(Locale.ROOT, "%d,%s,%d,%s,%.1f,%.3f,%.3f,%.2f,%.2f,%d,%.0f,%d,%d,%d,%d,%b\n",
					cell.round(), cell.workload().label(), cell.inFlight(), cell.contender(), m.opsPerSecond(),
					m.p50Millis(), m.p99Millis(), m.p99ToCohort(), m.cpuMicrosPerOp(), m.gcMillis(),
					m.allocatedBytesPerOp(), m.jitMillis(), m.idleThreads(), m.peakThreads(), m.failures(),
					m.drained()));
		}
		return csv.toString();
	}

}
