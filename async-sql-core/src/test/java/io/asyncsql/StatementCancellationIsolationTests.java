package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cancel reaches only the operation it was meant for, even where the driver cancels by
 * naming the session (MariaDB's {@code KILL QUERY}): with one connection and one permit,
 * an operation cancelled as it runs never stops the next one on the same connection, and
 * a statement stopped by someone else is not reported as a timeout. Runs on each server
 * database.
 */
@EachServerDatabase
@TestInstance(Lifecycle.PER_CLASS)
class StatementCancellationIsolationTests {

	/** The race was lost in about one round in six before the fix. */
	private static final int ROUNDS = 150;

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Parameter
	TestDatabase database;

	private final String marker = "asyncsql-isolation-" + UUID.randomUUID().toString().substring(0, 8);

	private HikariDataSource dataSource;

	private Connection admin;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	@BeforeParameterizedClassInvocation
	void connect() throws SQLException {
		if (this.database.isAvailable()) {
			this.dataSource = this.database.pool("isolation", 1);
			this.admin = this.database.connect();
		}
	}

	@AfterParameterizedClassInvocation
	void disconnect() throws SQLException {
		try {
			if (this.dataSource != null) {
				this.admin.close();
				this.dataSource.close();
			}
		}
		finally {
			// One instance serves every database: the next starts from nothing.
			this.dataSource = null;
			this.admin = null;
			this.engine = null;
			this.template = null;
		}
	}

	@BeforeEach
	void startEngine() {
		this.database.assumeAvailable();
		this.engine = AsyncEngine.builder(this.dataSource).name("isolation").maxConcurrency(1).build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@AfterEach
	void stopEngine() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void cancellingAnOperationNeverStopsTheNextOneOnTheSameConnection() {
		cancelEachFirstOperationAndCheckTheSecond(this.template);
		awaitIdle();
	}

	@Test
	void cancellingAnOperationOfALaneNeverStopsItsNextOperation() {
		AsyncConnection lane = Futures.result(this.template.connect());
		cancelEachFirstOperationAndCheckTheSecond(lane);
		assertThat(lane.close()).succeedsWithin(WAIT);
		awaitIdle();
	}

	@Test
	void statementStoppedByAnotherSessionIsNotReportedAsATimeout() throws SQLException {
		CompletableFuture<List<Map<String, Object>>> sleeping = this.template
			.queryForList(this.database.sleepSql(30, this.marker));
		await().atMost(WAIT).until(() -> this.database.runningStatements(this.admin, this.marker) == 1);

		this.database.cancelStatement(this.admin, this.database.backendRunning(this.admin, this.marker));

		Throwable failure = assertThat(sleeping).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.actual()
			.getCause();
		assertThat(failure.getMessage()).doesNotContain("exceeded").containsAnyOf("cancel", "interrupted");
		awaitIdle();
	}

	/**
	 * Cancel an operation 10 to 25 ms after submitting it, while it runs for 20 ms, then
	 * run another that nobody cancels on the same connection: it must return its own
	 * result, neither an error nor the value an interrupted sleep returns.
	 */
	private void cancelEachFirstOperationAndCheckTheSecond(AsyncJdbcOperations operations) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int round = 0; round < ROUNDS; round++) {
			CompletableFuture<Integer> cancelled = operations.queryForObject(this.database.sleepThenSelectSql(0.02, 1),
					Integer.class);
			// Not a wait for an outcome: where the cancel lands decides the race.
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextLong(10_000, 25_000)));
			cancelled.cancel(true);

			CompletableFuture<Integer> next = operations.queryForObject(this.database.sleepThenSelectSql(0.05, 7),
					Integer.class);

			assertThat(next).as("round %d", round).succeedsWithin(WAIT).isEqualTo(7);
		}
	}

	private void awaitIdle() {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.engine.stats().active()).isZero();
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
		});
	}

}
