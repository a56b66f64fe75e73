package io.asyncsql.autoconfigure;

import java.util.List;
import java.util.Objects;

import io.asyncsql.AsyncEngine;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for start-up failures caused by invalid {@code async-sql.*} properties, reported
 * through Spring Boot's {@code InvalidConfigurationPropertyValueException} and its
 * failure analysis.
 */
class InvalidAsyncSqlPropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class));

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					async-sql.executor.max-concurrency | 0     | 0     | must be greater than 0 | Set async-sql.executor.max-concurrency to
					async-sql.executor.max-concurrency | -2    | -2    | must be greater than 0 | or remove it to use the pool's size
					async-sql.queue.capacity           | 0     | 0     | must be greater than 0 | Set async-sql.queue.capacity to
					async-sql.queue.capacity           | -1    | -1    | must be greater than 0 | default of 10000
					async-sql.queue.timeout            | 0s    | PT0S  | must be positive       | Set async-sql.queue.timeout to a positive duration
					async-sql.batching.max-size        | 1     | 1     | must be at least 2     | Set async-sql.batching.max-size to
					async-sql.queue.timeout            | -5s   | PT-5S | must be positive       | default of 30s
					async-sql.shutdown.timeout         | -1s   | PT-1S | must not be negative   | Set async-sql.shutdown.timeout to 0s
					async-sql.query-timeout            | 500ms | PT0.5S| at least 1 second      | Set async-sql.query-timeout to 1s or more
					async-sql.query-timeout            | -3    | PT-3S | at least 1 second      | Set async-sql.query-timeout to 1s or more
					async-sql.stream.idle-timeout      | 0s    | PT0S  | must be positive       | Set async-sql.stream.idle-timeout to a positive duration
					async-sql.stream.max-lifetime      | 0s    | PT0S  | must be positive       | or remove it for no limit
					async-sql.leak-detection-threshold | 0s    | PT0S  | must be positive       | Set async-sql.leak-detection-threshold to a positive duration
					async-sql.leak-detection-threshold | -2s   | PT-2S | must be positive       | or remove it to turn leak detection off
					async-sql.transaction.retry.max-retries | -1 | -1  | must not be negative   | default of 3
					async-sql.transaction.retry.delay  | -1ms  | PT-0.001S | must not be negative | default of 50ms
					async-sql.transaction.retry.jitter | 1s    | PT1S  | not be greater than async-sql.transaction.retry.delay | Lower async-sql.transaction.retry.jitter
					async-sql.transaction.retry.multiplier | 0.5 | 0.5 | must be 1 or greater  | (a fixed back-off)
					async-sql.transaction.retry.max-delay | 10ms | PT0.01S | not be less than async-sql.transaction.retry.delay | Raise async-sql.transaction.retry.max-delay
					""")
	void invalidValueFailsStartUpWithAnalysisNamingPropertyValueAndFix(String property, String value, String reported,
			String reason, String fix) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'" + property + "'")
				.contains("'" + value + "'")
				.contains(reason)
				.contains(fix);
		});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
							async-sql.replica.pool-size          | 0     | must be greater than 0 | or remove it to use the primary pool's size
					async-sql.replica.url                | postgres://db | must be a JDBC URL | Set async-sql.replica.url to the JDBC URL
							async-sql.replica.connection-timeout | 100ms | at least 250ms         | Set async-sql.replica.connection-timeout to 250ms or more
							async-sql.replica.recheck-after      | 0s    | must be positive       | default of 5s
							""")
	void invalidReplicaValueFailsStartUpWithAnalysisNamingPropertyValueAndFix(String property, String value,
			String reason, String fix) {
		this.contextRunner
			.withPropertyValues("async-sql.replica.url=jdbc:h2:mem:reader-invalid;DB_CLOSE_DELAY=-1",
					property + "=" + value)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'" + property + "'")
					.contains("'" + value + "'")
					.contains(reason)
					.contains(fix);
			});
	}

	@Test
	void unknownThreadModeFailsStartUpWithAnalysisListingValidModes() {
		this.contextRunner.withPropertyValues("async-sql.executor.thread-mode=green").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("async-sql.executor.thread-mode").contains("green");
			assertThat(analysis.getAction()).contains("AUTO").contains("PLATFORM").contains("VIRTUAL");
		});
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void virtualThreadModeBeforeJava21FailsStartUpWithAnalysis() {
		this.contextRunner.withPropertyValues("async-sql.executor.thread-mode=virtual").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'async-sql.executor.thread-mode'")
				.contains("'virtual'")
				.contains("Java 21")
				.contains("'auto' or 'platform'");
		});
	}

	@Test
	void emptyNameFailsStartUpWithAnalysisNamingTheProperty() {
		this.contextRunner.withPropertyValues("async-sql.name= ").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(analyze(context.getStartupFailure()).getDescription()).contains("'async-sql.name'")
				.contains("must not be empty");
		});
	}

	@Test
	void invalidQueryTimeoutFailsStartUpEvenWhenTheUserDefinesTheTemplate() {
		this.contextRunner.withPropertyValues("async-sql.query-timeout=500ms")
			.withUserConfiguration(AsyncSqlAutoConfigurationTests.UserTemplateConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(analyze(context.getStartupFailure()).getDescription()).contains("'async-sql.query-timeout'")
					.contains("'500ms'")
					.contains("at least 1 second");
			});
	}

	@Test
	void invalidValuesAreIgnoredWhenTheUserDefinesTheEngine() {
		this.contextRunner.withPropertyValues("async-sql.queue.capacity=0")
			.withBean("userEngine", AsyncEngine.class,
					() -> AsyncEngine.builder(new org.springframework.jdbc.datasource.SimpleDriverDataSource()).build())
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(AsyncEngine.class));
	}

	/**
	 * Analyze the failure as Spring Boot does at start-up: with every analyzer registered
	 * in {@code spring.factories}, the first answer winning. Analyzers whose optional
	 * dependencies are missing are skipped, as at start-up.
	 */
	private static FailureAnalysis analyze(Throwable failure) {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, new StandardEnvironment());
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, arguments,
					FailureHandler.logging(LogFactory.getLog(InvalidAsyncSqlPropertiesTests.class)));
		FailureAnalysis analysis = analyzers.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

}
