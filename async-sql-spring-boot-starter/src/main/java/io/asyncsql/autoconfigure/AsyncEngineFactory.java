package io.asyncsql.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;
import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * Turns {@link AsyncSqlProperties} into an {@link AsyncEngineBuilder}, after
 * {@link AsyncSqlPropertiesValidator} has checked them.
 */
final class AsyncEngineFactory {

	private final AsyncSqlProperties properties;

	private final Environment environment;

	private final AsyncSqlPropertiesValidator validator;

	AsyncEngineFactory(AsyncSqlProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
		this.validator = new AsyncSqlPropertiesValidator(properties, environment);
	}

	AsyncSqlPropertiesValidator validator() {
		return this.validator;
	}

	AsyncEngineBuilder builder(DataSource dataSource, @Nullable TaskDecorator taskDecorator) {
		this.validator.validateEngine();
		// The template's settings too, so that they are checked even when the user
		// defines the template.
		this.validator.validateTemplate();
		AsyncSqlProperties.Executor executor = this.properties.getExecutor();
		AsyncEngineBuilder builder = AsyncEngine.builder(dataSource)
			.name(this.properties.getName())
			.threadMode(threadMode())
			.queueCapacity(this.properties.getQueue().getCapacity())
			.queueTimeout(this.properties.getQueue().getTimeout())
			.shutdownTimeout(this.properties.getShutdown().getTimeout())
			.streamIdleTimeout(this.properties.getStream().getIdleTimeout())
			.streamMaxLifetime(this.properties.getStream().getMaxLifetime())
			.leakDetectionThreshold(this.properties.getLeakDetectionThreshold())
			.batching(this.properties.getBatching().isEnabled())
			.batchMaxSize(this.properties.getBatching().getMaxSize())
			.taskDecorator(taskDecorator);
		if (executor.getMaxConcurrency() != null) {
			builder.maxConcurrency(executor.getMaxConcurrency());
		}
		return builder;
	}

	/**
	 * Without {@code async-sql.executor.thread-mode}, follow
	 * {@code spring.threads.virtual.enabled} as Spring Boot's own executors do: the
	 * engine's {@link ThreadMode#AUTO} (virtual threads where the JVM has them) when it
	 * is set, {@link ThreadMode#PLATFORM} otherwise. A mode that is set is passed on as
	 * is.
	 */
	private ThreadMode threadMode() {
		ThreadMode mode = this.properties.getExecutor().getThreadMode();
		if (mode != null) {
			return mode;
		}
		return Threading.VIRTUAL.isActive(this.environment) ? ThreadMode.AUTO : ThreadMode.PLATFORM;
	}

	/**
	 * Return {@code async-sql.query-timeout} as the whole seconds JDBC takes.
	 * @return the timeout in seconds, or {@code null} when not set
	 */
	@Nullable Integer queryTimeoutSeconds() {
		this.validator.validateTemplate();
		Duration queryTimeout = this.properties.getQueryTimeout();
		return (queryTimeout != null) ? (int) Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds()) : null;
	}

}
