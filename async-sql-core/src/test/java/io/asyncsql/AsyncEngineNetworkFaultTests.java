package io.asyncsql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A network that stalls or cuts connections between the pool and PostgreSQL, through a
 * {@link FaultyProxy}: work fails in time with a {@link DataAccessException} instead of
 * hanging, and the engine recovers when the network does.
 */
class AsyncEngineNetworkFaultTests {

	private static final TestDatabase DATABASE = TestDatabase.POSTGRESQL;

	private static final int POOL_SIZE = 4;

	private static final Duration WAIT = Duration.ofSeconds(15);

	private final String marker = "asyncsql-network-" + UUID.randomUUID().toString().substring(0, 8);

	private FaultyProxy proxy;

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private int submitted;

	@BeforeEach
	void startEngine() throws IOException {
		DATABASE.assumeAvailable();
		this.proxy = new FaultyProxy("127.0.0.1", DATABASE.port());
		this.dataSource = DATABASE.pool("network", POOL_SIZE, (config) -> {
			config.setJdbcUrl(DATABASE.url("127.0.0.1", this.proxy.port()));
			config.setConnectionTimeout(1000);
			config.setValidationTimeout(500);
		});
		this.engine = AsyncEngine.builder(this.dataSource).name("network").build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@AfterEach
	void stopEngine() throws IOException {
		if (this.engine != null) {
			this.proxy.heal();
			this.engine.close();
			this.dataSource.close();
			this.proxy.close();
		}
	}

	@Test
	void stalledNetworkFailsStatementsAtTheirDeadlineAndEngineRecoversWhenHealed() {
		assertServes();
		AsyncJdbcTemplate timed = this.template.withTimeout(Duration.ofSeconds(1));

		this.proxy.stall();
		List<CompletableFuture<?>> stalled = new ArrayList<>();
		for (int i = 0; i < 2 * POOL_SIZE; i++) {
			stalled.add(submit(timed.queryForObject("select 1", Integer.class)));
		}

		assertThat(stalled).allSatisfy((future) -> assertThat(future).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class));
		this.proxy.heal();
		awaitEngineIdle();
		assertServes();
		assertCountersAddUp();
	}

	@Test
	void stalledNetworkFailsConnectionAcquisitionInTime() {
		this.proxy.stall();
		this.proxy.cut();
		this.dataSource.getHikariPoolMXBean().softEvictConnections();

		CompletableFuture<Integer> waiting = submit(this.template.queryForObject("select 1", Integer.class));

		assertThat(waiting).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CannotGetJdbcConnectionException.class);
		this.proxy.heal();
		awaitEngineIdle();
		assertServes();
		assertCountersAddUp();
	}

	@Test
	void cutConnectionsFailWorkInFlightAndLaterWorkSucceeds() throws SQLException {
		assertServes();
		List<CompletableFuture<?>> load = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			load.add(submit(this.template.queryForList(DATABASE.sleepSql(0.2, this.marker))));
		}
		try (Connection admin = DATABASE.connect()) {
			await().atMost(WAIT).until(() -> DATABASE.runningStatements(admin, this.marker) == POOL_SIZE);
		}

		this.proxy.cut();

		assertThat(CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).exceptionally((ex) -> null))
			.succeedsWithin(WAIT);
		List<Throwable> failures = new ArrayList<>();
		load.forEach((future) -> future.exceptionally((failure) -> {
			failures.add(failure);
			return null;
		}));
		assertThat(failures).as("work in flight when the network was cut").isNotEmpty();
		assertThat(failures).allSatisfy((failure) -> assertThat(failure).isInstanceOf(DataAccessException.class));
		awaitEngineIdle();
		assertServes();
		assertCountersAddUp();
	}

	private void assertServes() {
		List<CompletableFuture<?>> checks = new ArrayList<>();
		for (int i = 0; i < 2 * POOL_SIZE; i++) {
			checks.add(submit(this.template.queryForObject("select 1", Integer.class)));
		}
		assertThat(CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
	}

	private void awaitEngineIdle() {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.engine.stats().active()).as("engine permits in use").isZero();
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
		});
	}

	private void assertCountersAddUp() {
		// The engine counts an outcome in a callback of its own on the future, which may
		// run just after the caller's.
		await().atMost(WAIT).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.completed() + stats.failed() + stats.cancelled() + stats.rejected())
				.as("outcomes of %s", stats)
				.isEqualTo(this.submitted);
		});
	}

	private <T> CompletableFuture<T> submit(CompletableFuture<T> future) {
		this.submitted++;
		return future;
	}

}
