package io.asyncsql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server connections that die under load, as after a failover or an administrator's kill:
 * work in flight fails with a {@link DataAccessException}, later work succeeds on new
 * connections, nothing leaks and the engine's counters add up. Runs on each server
 * database.
 */
@EachServerDatabase
class AsyncEngineConnectionLossTests {

	private static final int POOL_SIZE = 5;

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TestDatabase database;

	private final String marker = "asyncsql-loss-" + UUID.randomUUID().toString().substring(0, 8);

	private final Set<Long> backends = ConcurrentHashMap.newKeySet();

	private EngineFixture fixture;

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private Connection admin;

	private int submitted;

	AsyncEngineConnectionLossTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void startEngine() throws SQLException {
		this.database.assumeAvailable();
		// HikariCP passes the user name and password of its configuration.
		InterceptingDataSource recording = new InterceptingDataSource(new DriverManagerDataSource(this.database.url()))
			.onGetConnection(this::recordBackend);
		this.fixture = EngineFixture.start(this.database, "loss", POOL_SIZE, (config) -> {
			config.setDataSource(recording);
			config.setConnectionTimeout(2000);
			config.setValidationTimeout(1000);
		}, UnaryOperator.identity());
		this.dataSource = this.fixture.pool();
		this.engine = this.fixture.engine();
		this.template = this.fixture.template();
		this.admin = this.database.connect();
	}

	@AfterEach
	void stopEngine() throws SQLException {
		if (this.fixture != null) {
			this.fixture.close();
			this.admin.close();
		}
	}

	@Test
	void terminatingEveryBackendMidLoadFailsOnlyWorkInFlight() throws SQLException {
		List<CompletableFuture<?>> load = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			load.add(submit(this.template.queryForList(this.database.sleepSql(0.2, this.marker))));
		}
		await().atMost(WAIT).until(() -> this.database.runningStatements(this.admin, this.marker) == POOL_SIZE);

		terminateEveryBackend();

		assertThat(CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).exceptionally((ex) -> null))
			.succeedsWithin(WAIT);
		List<Throwable> failures = failures(load);
		// A killed connection fails the operation running on it, and at most one more
		// that
		// borrowed it between two operations, before the pool noticed; after that, queued
		// work gets new connections.
		assertThat(failures).as("work in flight when the connections died")
			.isNotEmpty()
			.hasSizeLessThanOrEqualTo(2 * POOL_SIZE);
		assertThat(failures).allSatisfy((failure) -> assertThat(failure).isInstanceOf(DataAccessException.class));
		List<CompletableFuture<?>> after = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			after.add(submit(this.template.queryForObject("select 1", Integer.class)));
		}
		assertThat(CompletableFuture.allOf(after.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
		assertNothingLeakedAndCountersAddUp();
	}

	@Test
	void terminatingBackendOfOpenConnectionFailsItsWorkAndCloseReleasesIt() throws SQLException {
		AsyncConnection connection = Futures.result(submit(this.engine.connect()));
		long backend = Futures.result(submit(connection.queryForObject(this.database.backendIdSql(), Long.class)));
		submit(connection.begin());
		CompletableFuture<?> sleeping = submit(connection.queryForList(this.database.sleepSql(30, this.marker)));
		await().atMost(WAIT).until(() -> this.database.runningStatements(this.admin, this.marker) == 1);

		this.database.terminate(this.admin, backend);

		assertThat(sleeping).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		assertThat(submit(connection.queryForObject("select 1", Integer.class))).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		assertThat(connection.close().exceptionally((ex) -> null)).succeedsWithin(WAIT);
		assertThat(submit(this.template.queryForObject("select 1", Integer.class))).succeedsWithin(WAIT).isEqualTo(1);
		assertNothingLeakedAndCountersAddUp();
	}

	private <T> CompletableFuture<T> submit(CompletableFuture<T> future) {
		this.submitted++;
		return future;
	}

	private void terminateEveryBackend() throws SQLException {
		assertThat(this.backends).isNotEmpty();
		for (long backend : this.backends) {
			this.database.terminate(this.admin, backend);
		}
	}

	private void assertNothingLeakedAndCountersAddUp() {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
			EngineStats stats = this.engine.stats();
			assertThat(stats.active()).isZero();
			assertThat(stats.queued()).isZero();
			assertThat(stats.completed() + stats.failed() + stats.cancelled() + stats.rejected())
				.as("outcomes of %s", stats)
				.isEqualTo(this.submitted);
		});
	}

	private static List<Throwable> failures(List<CompletableFuture<?>> futures) {
		List<Throwable> failures = new ArrayList<>();
		for (CompletableFuture<?> future : futures) {
			future.exceptionally((failure) -> {
				failures.add(failure);
				return null;
			});
		}
		return failures;
	}

	/**
	 * Opens connections through the driver and remembers each one's server-side id.
	 */
	private void recordBackend(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(this.database.backendIdSql())) {
			result.next();
			this.backends.add(result.getLong(1));
		}
	}

}
