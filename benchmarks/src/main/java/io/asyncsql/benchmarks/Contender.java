package io.asyncsql.benchmarks;

import java.util.concurrent.CompletableFuture;

/**
 * One way of running the {@link Workload workloads} against the database, measured side
 * by side with the others.
 */
interface Contender extends AutoCloseable {

	/**
	 * Return the name printed in the results.
	 */
	String name();

	/**
	 * Start one operation.
	 * @param workload what to run
	 * @param arguments the statement's arguments, from {@link Workload#randomArguments()}
	 * @return a future of the operation's result
	 */
	CompletableFuture<?> execute(Workload workload, Object[] arguments);

	/**
	 * Return how many threads of its own the driver must give a contender that blocks in
	 * {@link #execute}, for the given number of operations in flight; zero for a
	 * contender that returns at once and completes the future elsewhere.
	 * @param inFlight the operations in flight the driver asks for
	 */
	default int blockingThreads(int inFlight) {
		return 0;
	}

	/**
	 * Release the contender's pool and threads.
	 */
	@Override
	void close();

}
