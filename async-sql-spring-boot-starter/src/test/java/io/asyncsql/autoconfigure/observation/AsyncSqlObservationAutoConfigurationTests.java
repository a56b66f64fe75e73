package io.asyncsql.autoconfigure.observation;

import java.time.Duration;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.StatementTimeoutException;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.observation.AsyncSqlObservationConvention;
import io.asyncsql.observation.DefaultAsyncSqlObservationConvention;
import io.asyncsql.observation.SlowOperationLogger;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncSqlObservationAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncSqlObservationAutoConfigurationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	/** Runs until its 300 ms deadline cancels it; the argument must never be logged. */
	private static final String SLOW_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X = ?";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class,
				AsyncSqlObservationAutoConfiguration.class));

	@Test
	void operationsAreObservedInTheContextsRegistry() {
		this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			assertThat(template.queryForObject("select ?", Integer.class, 7)).succeedsWithin(WAIT);
			await().atMost(WAIT)
				.untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
					.hasObservationWithNameEqualTo("asyncsql.operation")
					.that()
					.hasLowCardinalityKeyValue("asyncsql.engine", "main")
					.hasLowCardinalityKeyValue("asyncsql.kind", "statement")
					.hasLowCardinalityKeyValue("asyncsql.outcome", "success")
					.hasHighCardinalityKeyValue("asyncsql.sql", "select ?")
					.hasBeenStopped());
		});
	}

	@Test
	void conventionBeanReplacesTheDefault() {
		this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(AsyncSqlObservationConvention.class, () -> new DefaultAsyncSqlObservationConvention() {

				@Override
				public String getName() {
					return "orders.db";
				}

			})
			.run((context) -> {
				TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
				assertThat(context.getBean(AsyncJdbcTemplate.class).queryForObject("select 1", Integer.class))
					.succeedsWithin(WAIT);
				await().atMost(WAIT)
					.untilAsserted(() -> TestObservationRegistryAssert.assertThat(registry)
						.hasObservationWithNameEqualTo("orders.db")
						.that()
						.hasBeenStopped());
			});
	}

	@Test
	void slowOperationIsLoggedWithItsSqlButNotItsArgumentsEvenWithoutARegistry(CapturedOutput output) {
		this.contextRunner.withPropertyValues("async-sql.observation.slow-threshold=100ms").run((context) -> {
			assertThat(context).doesNotHaveBean(ObservationRegistry.class);
			assertSlowOperationLogged(context.getBean(AsyncJdbcTemplate.class), output);
		});
	}

	@Test
	void slowOperationIsLoggedThroughTheContextsRegistry(CapturedOutput output) {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withPropertyValues("async-sql.observation.slow-threshold=100ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(ObservationRegistry.class).hasSingleBean(SlowOperationLogger.class);
				assertSlowOperationLogged(context.getBean(AsyncJdbcTemplate.class), output);
			});
	}

	private static void assertSlowOperationLogged(AsyncJdbcTemplate template, CapturedOutput output) {
		assertThat(template.withTimeout(Duration.ofMillis(300)).queryForObject(SLOW_QUERY, Integer.class, 987654))
			.failsWithin(WAIT)
			.withThrowableThat()
			.withCauseInstanceOf(StatementTimeoutException.class);
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(output).contains("WARN")
				.contains("async-sql statement on engine 'main' took")
				.contains("outcome statement_timeout")
				.contains("async-sql.observation.slow-threshold (100 ms): " + SLOW_QUERY));
		assertThat(output).doesNotContain("987654");
	}

	@Test
	void noSlowOperationLogByDefault() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SlowOperationLogger.class)
			.hasBean("asyncEngineObservationCustomizer"));
	}

	@Test
	void slowThresholdThatIsNotPositiveFailsStartUp() {
		this.contextRunner.withPropertyValues("async-sql.observation.slow-threshold=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("async-sql.observation.slow-threshold")
				.hasMessageContaining("positive"));
	}

	@Test
	void withoutMicrometerTheEngineIsNotObservedAndStillWorks() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer.observation")).run((context) -> {
			assertThat(context).doesNotHaveBean("asyncEngineObservationCustomizer");
			assertThat(context.getBean(AsyncJdbcTemplate.class).queryForObject("select 1", Integer.class))
				.succeedsWithin(WAIT);
			assertThat(context.getBean(AsyncEngine.class).isClosed()).isFalse();
		});
	}

}
