package io.asyncsql.autoconfigure.metrics;

import io.asyncsql.AsyncEngine;
import io.asyncsql.ReadReplica;
import io.asyncsql.autoconfigure.AsyncEngineCustomizer;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the meters of the context's
 * {@link AsyncEngine}: {@code asyncsql.tasks.active}, {@code .queued}, {@code .rejected},
 * {@code .wait} and {@code .execution}, tagged with the engine's name; the same gauges
 * for the reader; and {@code asyncsql.transactions.retries} for retried transactions. The
 * timers need the engine to be the auto-configured one; the gauges work for a user's
 * engine too.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = AsyncSqlAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ AsyncEngine.class, MeterRegistry.class })
public final class AsyncSqlMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AsyncEngineMeterBinder asyncEngineMeterBinder(ObjectProvider<AsyncEngine> engine) {
		return new AsyncEngineMeterBinder(engine);
	}

	@Bean
	@ConditionalOnMissingBean(name = "asyncEngineMetricsCustomizer")
	AsyncEngineCustomizer asyncEngineMetricsCustomizer(AsyncEngineMeterBinder asyncEngineMeterBinder) {
		return (builder) -> builder.listener(asyncEngineMeterBinder);
	}

	@Bean
	@ConditionalOnMissingBean
	TransactionRetryMeters asyncSqlTransactionRetryMeters(ObjectProvider<AsyncEngine> engine) {
		AsyncEngine unique = engine.getIfUnique();
		return new TransactionRetryMeters((unique != null) ? unique.getName() : "main");
	}

	@Bean
	@ConditionalOnBean(ReadReplica.class)
	@ConditionalOnMissingBean
	ReadReplicaMeterBinder asyncSqlReadReplicaMeterBinder(ReadReplica replica) {
		return new ReadReplicaMeterBinder(replica);
	}

}
