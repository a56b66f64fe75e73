package io.asyncsql.test.autoconfigure;

import io.asyncsql.autoconfigure.AsyncEngineCustomizer;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of {@link AsyncSqlTest @AsyncSqlTest}'s rollback: every
 * {@link javax.sql.DataSource} lends the test's one connection while a test runs, and the
 * engine runs one operation at a time on it.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = AsyncSqlAutoConfiguration.class)
public final class AsyncSqlTestAutoConfiguration {

	@Bean
	static TestConnectionDataSources asyncSqlTestConnectionDataSources() {
		return new TestConnectionDataSources();
	}

	/**
	 * One permit, applied after every other customizer: the engine must never ask for a
	 * second connection while it holds the test's one.
	 */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	AsyncEngineCustomizer asyncSqlTestEngineCustomizer() {
		return (builder) -> builder.maxConcurrency(1);
	}

}
