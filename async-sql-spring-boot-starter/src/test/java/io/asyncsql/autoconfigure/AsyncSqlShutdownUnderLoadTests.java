package io.asyncsql.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.EngineClosedException;
import io.asyncsql.EngineStats;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing an application context while thousands of operations are queued or running on
 * PostgreSQL at 127.0.0.1:5432: every future completes, running statements are cancelled
 * at the server and no connection is left open. Skipped when the server is not running,
 * failed instead when {@code ASYNC_SQL_REQUIRE_DATABASES=true}.
 */
class AsyncSqlShutdownUnderLoadTests {

	private static final String URL = "jdbc:postgresql://127.0.0.1:5432/"
			+ System.getenv().getOrDefault("ASYNC_SQL_TEST_DATABASE", "test");

	private static final String USER = "postgres";

	private static final int OPERATIONS = 5000;

	/** One operation in this many sleeps far longer than the test waits. */
	private static final int LONG_EVERY = 500;

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final String marker = "asyncsql-context-" + UUID.randomUUID().toString().substring(0, 8);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.url=" + URL, "spring.datasource.username=" + USER,
				"spring.datasource.hikari.maximum-pool-size=10",
				"spring.datasource.hikari.data-source-properties.ApplicationName=" + this.marker,
				"async-sql.shutdown.timeout=1s")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class));

	@BeforeAll
	static void assumePostgresAvailable() {
		try (Connection connection = connect()) {
			assertThat(connection.isValid(5)).isTrue();
		}
		catch (SQLException ex) {
			String message = "PostgreSQL not reachable at 127.0.0.1:5432 (user " + USER + ", database test): "
					+ ex.getMessage();
			if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
				throw new AssertionError(
						message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)", ex);
			}
			Assumptions.abort(message + "; start it, or this test stays skipped");
		}
	}

	@Test
	void closingContextUnderLoadCompletesEveryFutureCancelsStatementsAtTheServerAndLeaksNothing() {
		this.contextRunner.run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			HikariDataSource dataSource = context.getBean(HikariDataSource.class);
			String sleep = "select pg_sleep(60), '" + this.marker + "'";
			List<CompletableFuture<?>> futures = new ArrayList<>();
			List<CompletableFuture<?>> sleeps = new ArrayList<>();
			for (int i = 0; i < OPERATIONS; i++) {
				CompletableFuture<?> future = template.queryForList((i % LONG_EVERY == 0) ? sleep : "select 1");
				futures.add(future);
				if (i % LONG_EVERY == 0) {
					sleeps.add(future);
				}
			}
			try (Connection admin = connect()) {
				await().atMost(WAIT).until(() -> runningSleeps(admin) >= 2);

				context.close();

				assertThat(
						CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).exceptionally((ex) -> null))
					.as("every future completes")
					.succeedsWithin(WAIT);
				int values = 0;
				int closed = 0;
				int cancelled = 0;
				for (CompletableFuture<?> future : futures) {
					Throwable failure = failureOf(future);
					if (failure == null) {
						values++;
					}
					else if (failure instanceof EngineClosedException) {
						closed++;
					}
					else {
						assertThat(failure).as("failure other than a close or a cancel")
							.isInstanceOf(CancellationException.class);
						cancelled++;
					}
				}
				assertThat(values + closed + cancelled).isEqualTo(OPERATIONS);
				assertThat(closed).as("operations that never started").isPositive();
				assertThat(sleeps).as("long statements, none of which can finish")
					.allSatisfy((future) -> assertThat(failureOf(future)).isNotNull());
				await().atMost(WAIT)
					.untilAsserted(
							() -> assertThat(runningSleeps(admin)).as("pg_sleep statements still running").isZero());
				await().atMost(WAIT)
					.untilAsserted(() -> assertThat(openConnections(admin)).as("pool connections still open").isZero());
			}
			assertThat(dataSource.isClosed()).isTrue();
			assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
			EngineStats stats = engine.stats();
			assertThat(engine.isClosed()).isTrue();
			assertThat(stats.active()).isZero();
			assertThat(stats.queued()).isZero();
		});
	}

	private int runningSleeps(Connection admin) throws SQLException {
		return count(admin, "select count(*) from pg_stat_activity where state = 'active' and query like ?"
				+ " and query like '%pg_sleep%' and pid <> pg_backend_pid()", "%" + this.marker + "%");
	}

	private int openConnections(Connection admin) throws SQLException {
		return count(admin, "select count(*) from pg_stat_activity where application_name = ?", this.marker);
	}

	private static int count(Connection admin, String sql, String parameter) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement(sql)) {
			statement.setString(1, parameter);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	private static Connection connect() throws SQLException {
		return DriverManager.getConnection(URL + "?connectTimeout=5", USER, "");
	}

	/**
	 * Return what a completed future failed with, or {@code null} for a value.
	 */
	private static Throwable failureOf(CompletableFuture<?> future) {
		assertThat(future).isDone();
		return future.handle((value, ex) -> (ex instanceof CompletionException) ? ex.getCause() : ex).getNow(null);
	}

}
