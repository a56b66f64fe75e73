package io.asyncsql.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * What a user writes without async-sql:
 * {@code CompletableFuture.supplyAsync(() -> jdbcTemplate..., executor)}, with a fixed
 * pool of pool-size threads or a virtual thread per task.
 */
final class DiyContender implements Contender {

	private final String name;

	private final JdbcOperations jdbc;

	private final ExecutorService executor;

	DiyContender(String name, JdbcOperations jdbc, ExecutorService executor) {
		this.name = name;
		this.jdbc = jdbc;
		this.executor = executor;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CompletableFuture<?> execute(Workload workload, Object[] arguments) {
		return CompletableFuture.supplyAsync(() -> JdbcWorkloads.run(this.jdbc, workload, arguments), this.executor);
	}

	@Override
	public void close() {
		this.executor.shutdown();
		try {
			this.executor.awaitTermination(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
