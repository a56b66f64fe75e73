package io.asyncsql.benchmarks;

import java.util.concurrent.CompletableFuture;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * Plain blocking JDBC on the driver's own platform threads, never more of them than the
 * pool has connections: nothing waits for a connection and nothing hands work between
 * threads, so no offload engine on the same pool can beat it.
 */
final class CeilingContender implements Contender {

	private final String name;

	private final JdbcOperations jdbc;

	private final int poolSize;

	CeilingContender(String name, JdbcOperations jdbc, int poolSize) {
		this.name = name;
		this.jdbc = jdbc;
		this.poolSize = poolSize;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CompletableFuture<?> execute(Workload workload, Object[] arguments) {
		return Futures.call(() -> JdbcWorkloads.run(this.jdbc, workload, arguments));
	}

	@Override
	public int blockingThreads(int inFlight) {
		return Math.min(inFlight, this.poolSize);
	}

	@Override
	public void close() {
		// The shared pool is closed by its owner.
	}

}
