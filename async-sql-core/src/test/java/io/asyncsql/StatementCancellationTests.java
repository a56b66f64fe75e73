package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import reactor.core.Disposable;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import org.springframework.jdbc.core.JdbcTemplate;

import io.asyncsql.reactor.ReactiveJdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cancellation, deadlines and query timeouts stop statements at the server and give the
 * connections back, checked from a separate plain JDBC connection; runs on each server
 * database.
 */
@EachServerDatabase
@TestInstance(Lifecycle.PER_CLASS)
class StatementCancellationTests {

	/** Statements running at the server at once: a permit and a connection each. */
	private static final int RUNNING = 50;

	/** Statements waiting in the engine's queue behind them. */
	private static final int QUEUED = 5;

	private static final int POOL_SIZE = RUNNING;

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Parameter
	TestDatabase database;

	private HikariDataSource dataSource;

	private Connection admin;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private final String marker = "asyncsql-cancel-" + UUID.randomUUID().toString().substring(0, 8);

	@BeforeParameterizedClassInvocation
	void connect() throws SQLException {
		if (this.database.isAvailable()) {
			this.dataSource = this.database.pool("cancel", POOL_SIZE);
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
		this.engine = AsyncEngine.builder(this.dataSource).name("cancel").build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@AfterEach
	void stopEngine() {
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void cancelRunningAndQueuedStatementsStopsThemAtTheServer() {
		List<CompletableFuture<List<Map<String, Object>>>> futures = new ArrayList<>();
		for (int i = 0; i < RUNNING + QUEUED; i++) {
			futures.add(this.template.queryForList(this.database.sleepSql(60, this.marker)));
		}
		await().atMost(WAIT).until(this::running, (count) -> count == RUNNING);
		assertThat(this.engine.stats().active()).isEqualTo(RUNNING);
		assertThat(this.engine.stats().queued()).isEqualTo(QUEUED);

		futures.forEach((future) -> future.cancel(true));

		assertThat(futures).allMatch(CompletableFuture::isCancelled);
		awaitNothingRunningAndPoolIdle();
		EngineStats stats = this.engine.stats();
		assertThat(stats.cancelled()).isEqualTo(RUNNING + QUEUED);
		assertThat(stats.completed() + stats.failed()).isZero();
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.dataSource.getHikariPoolMXBean().getIdleConnections())
				.as("connections back in the pool")
				.isEqualTo(POOL_SIZE));
		assertThat(this.template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
	}

	@Test
	void cancelInConnectionStopsStatementAndConnectionKeepsServing() {
		AsyncConnection connection = Futures.result(this.template.connect());
		CompletableFuture<List<Map<String, Object>>> sleeping = connection
			.queryForList(this.database.sleepSql(60, this.marker));
		await().atMost(WAIT).until(this::running, (count) -> count == 1);

		sleeping.cancel(true);

		await().atMost(WAIT).until(this::running, (count) -> count == 0);
		assertThat(connection.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(connection.close()).succeedsWithin(WAIT);
		awaitNothingRunningAndPoolIdle();
	}

	@Test
	void deadlineFailsLongStatementAndStopsItAtTheServer() {
		CompletableFuture<List<Map<String, Object>>> sleeping = this.template.withTimeout(Duration.ofSeconds(1))
			.queryForList(this.database.sleepSql(60, this.marker));

		assertThat(sleeping).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(StatementTimeoutException.class);
		awaitNothingRunningAndPoolIdle();
		assertThat(this.engine.stats().failed()).isEqualTo(1);
	}

	@Test
	void transactionDeadlineStopsItsStatementAtTheServerAndRollsItBack() {
		String table = TestDatabase.uniqueTableName("deadline");
		assertThat(this.template.execute("create table " + table + " (n int)")).succeedsWithin(WAIT);
		try {
			CompletableFuture<List<Map<String, Object>>> transaction = this.template.withTimeout(Duration.ofSeconds(2))
				.inTransaction((tx) -> tx.update("insert into " + table + " values (1)")
					.thenCompose((inserted) -> tx.queryForList(this.database.sleepSql(60, this.marker))));

			assertThat(transaction).failsWithin(WAIT)
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(StatementTimeoutException.class);
			awaitNothingRunningAndPoolIdle();
			assertThat(this.template.queryForObject("select count(*) from " + table, Integer.class))
				.succeedsWithin(WAIT)
				.isEqualTo(0);
		}
		finally {
			assertThat(this.template.execute("drop table " + table)).succeedsWithin(WAIT);
		}
	}

	@Test
	void queryTimeoutOfJdbcTemplateFailsLongStatement() {
		JdbcTemplate jdbcTemplate = new JdbcTemplate(this.dataSource);
		jdbcTemplate.setQueryTimeout(1);
		AsyncJdbcTemplate timed = new AsyncJdbcTemplate(this.engine, jdbcTemplate);

		CompletableFuture<List<Map<String, Object>>> sleeping = timed
			.queryForList(this.database.sleepSql(60, this.marker));

		assertThat(sleeping).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(StatementTimeoutException.class);
		awaitNothingRunningAndPoolIdle();
	}

	@Test
	void disposedReactorSubscriptionStopsTheStatementAtTheServer() {
		ReactiveJdbcTemplate reactive = new ReactiveJdbcTemplate(this.template);
		Disposable sleeping = reactive
			.queryForObject(this.database.sleepSql(60, this.marker), (rs, row) -> rs.getString(2))
			.subscribe();
		await().atMost(WAIT).until(this::running, (count) -> count == 1);

		sleeping.dispose();

		awaitNothingRunningAndPoolIdle();
		assertThat(this.engine.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void disposedStreamStopsItsQueryAtTheServer() {
		ReactiveJdbcTemplate reactive = new ReactiveJdbcTemplate(this.template);
		Disposable streaming = reactive.query(this.database.sleepSql(60, this.marker), (rs, row) -> rs.getString(2))
			.subscribe();
		await().atMost(WAIT).until(this::running, (count) -> count == 1);

		streaming.dispose();

		awaitNothingRunningAndPoolIdle();
	}

	private void awaitNothingRunningAndPoolIdle() {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(running()).as("statements still running at the server").isZero();
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
			assertThat(this.engine.stats().active()).as("engine permits in use").isZero();
			assertThat(this.engine.stats().queued()).as("engine operations waiting").isZero();
		});
	}

	private int running() throws SQLException {
		return this.database.runningStatements(this.admin, this.marker);
	}

}
