package io.asyncsql.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ReadReplica;
import io.asyncsql.autoconfigure.health.AsyncSqlHealthContributorAutoConfiguration;
import io.asyncsql.autoconfigure.metrics.AsyncSqlMetricsAutoConfiguration;
import io.asyncsql.health.ReadReplicaHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.TransientDataAccessResourceException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the reader ({@code async-sql.replica.*}) and the retried transactions
 * ({@code async-sql.transaction.retry.*}) of {@link AsyncSqlAutoConfiguration}, with
 * their health and meters; on H2, and on the PostgreSQL streaming replica at
 * 127.0.0.1:5433 where it runs.
 */
class AsyncSqlReplicaAutoConfigurationTests {

	private static final String DATABASE = System.getenv().getOrDefault("ASYNC_SQL_TEST_DATABASE", "test");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class, AsyncSqlHealthContributorAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, AsyncSqlMetricsAutoConfiguration.class));

	@Test
	void withoutReplicaUrlReadsRunOnThePrimary() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(ReadReplica.class).doesNotHaveBean(ReadReplicaHealthIndicator.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			assertThat(template.getReadReplica()).isNull();
			assertThat(template.readOnly().getEngine().getName()).isEqualTo("main");
		});
	}

	@Test
	void replicaUrlAddsAReaderWithItsOwnPoolAndEngineBehindTheReadOnlyViews() {
		this.contextRunner
			.withPropertyValues("async-sql.replica.url=jdbc:h2:mem:reader-views;DB_CLOSE_DELAY=-1",
					"async-sql.replica.username=sa", "async-sql.replica.pool-size=3",
					"async-sql.replica.fallback-to-primary=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(ReadReplica.class).hasSingleBean(DataSource.class);
				ReadReplica replica = context.getBean(ReadReplica.class);
				assertThat(replica.isFallbackToPrimary()).isTrue();
				assertThat(replica.getEngine().getName()).isEqualTo("reader");
				assertThat(replica.getEngine().stats().maxConcurrency()).isEqualTo(3);
				AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
				assertThat(template.getReadReplica()).isSameAs(replica);
				String database = "select database()";
				assertThat(template.readOnly().queryForObject(database, String.class))
					.succeedsWithin(Duration.ofSeconds(10))
					.isEqualTo("READER-VIEWS");
				assertThat(template.queryForObject(database, String.class)).succeedsWithin(Duration.ofSeconds(10))
					.isNotEqualTo("READER-VIEWS");
				AsyncJdbcClient client = context.getBean(AsyncJdbcClient.class);
				assertThat(client.readOnly().sql(database).query(String.class).single())
					.succeedsWithin(Duration.ofSeconds(10))
					.isEqualTo("READER-VIEWS");
				HealthIndicator reader = context.getBean("asyncSqlReaderHealthIndicator", HealthIndicator.class);
				Health health = reader.health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("name", "reader")
					.containsEntry("fallbackToPrimary", true)
					.containsEntry("down", false)
					.doesNotContainKey("replayLagSeconds");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("asyncsql.tasks.active").tag("name", "reader").gauge()).isNotNull();
			});
	}

	@Test
	void readerIsClosedWithTheContext() {
		this.contextRunner.withPropertyValues("async-sql.replica.url=jdbc:h2:mem:reader-closed;DB_CLOSE_DELAY=-1")
			.run((context) -> {
				ReadReplica replica = context.getBean(ReadReplica.class);
				context.close();
				assertThat(replica.getEngine().isClosed()).isTrue();
			});
	}

	@Test
	void retryPropertiesRetryWholeTransactionsAndCountRetriesInMeters() {
		this.contextRunner
			.withPropertyValues("async-sql.transaction.retry.enabled=true", "async-sql.transaction.retry.max-retries=2",
					"async-sql.transaction.retry.delay=1ms", "async-sql.transaction.retry.jitter=0ms")
			.run((context) -> {
				AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
				AtomicInteger attempts = new AtomicInteger();
				CompletableFuture<Object> result = template.inTransaction((tx) -> {
					attempts.incrementAndGet();
					return CompletableFuture
						.failedFuture(new TransientDataAccessResourceException("could not serialize (test)",
								new SQLTransientException("could not serialize access", "40001")));
				});
				assertThat(result).failsWithin(Duration.ofSeconds(10));
				assertThat(attempts).hasValue(3);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("asyncsql.transactions.retries")
					.tag("name", "main")
					.tag("exception", "TransientDataAccessResourceException")
					.counter()
					.count()).isEqualTo(2);
				assertThat(registry.get("asyncsql.transactions.retries.exhausted").counter().count()).isEqualTo(1);
			});
	}

	@Test
	void retryIsOffByDefault() {
		this.contextRunner.run((context) -> {
			AtomicInteger attempts = new AtomicInteger();
			CompletableFuture<Object> result = context.getBean(AsyncJdbcTemplate.class).inTransaction((tx) -> {
				attempts.incrementAndGet();
				return CompletableFuture.failedFuture(new TransientDataAccessResourceException("test",
						new SQLTransientException("could not serialize access", "40001")));
			});
			assertThat(result).failsWithin(Duration.ofSeconds(10));
			assertThat(attempts).hasValue(1);
		});
	}

	@Test
	void readerOnAStreamingReplicaReportsItsReplayLagInHealth() {
		assumeReplicaAvailable();
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/" + DATABASE,
					"spring.datasource.username=postgres", "spring.datasource.hikari.maximum-pool-size=2",
					"async-sql.replica.url=jdbc:postgresql://127.0.0.1:5433/" + DATABASE)
			.run((context) -> {
				AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
				assertThat(template.readOnly().queryForObject("select pg_is_in_recovery()", Boolean.class))
					.succeedsWithin(Duration.ofSeconds(10))
					.isEqualTo(true);
				assertThat(context.getBean(ReadReplica.class).getEngine().stats().maxConcurrency()).isEqualTo(2);
				Health reader = context.getBean("asyncSqlReaderHealthIndicator", HealthIndicator.class).health(true);
				Health primary = context.getBean("asyncSqlHealthIndicator", HealthIndicator.class).health(true);
				assertThat(reader.getStatus()).isEqualTo(Status.UP);
				assertThat(primary.getStatus()).isEqualTo(Status.UP);
				assertThat(reader.getDetails()).containsKey("replayLagSeconds").containsEntry("name", "reader");
				assertThat(primary.getDetails()).doesNotContainKey("replayLagSeconds").containsEntry("name", "main");
				assertThat((Map<String, Object>) reader.getDetails()).doesNotContainValue("postgres");
			});
	}

	private static void assumeReplicaAvailable() {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5433/" + DATABASE,
				"postgres", "")) {
			assertThat(connection.isValid(5)).isTrue();
		}
		catch (SQLException ex) {
			String message = "PostgreSQL streaming replica not reachable at 127.0.0.1:5433: " + ex.getMessage();
			if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
				throw new AssertionError(
						message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)", ex);
			}
			Assumptions.abort(message + "; run .ci/replica as root to make it, or this test stays skipped");
		}
	}

}
