package io.asyncsql.autoconfigure.metrics;

import io.asyncsql.AsyncEngine;
import io.asyncsql.ReadReplica;
import io.asyncsql.autoconfigure.AsyncEngineCustomizer;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.metrics.AsyncEngineMetrics;
import io.asyncsql.metrics.TransactionRetryMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of {@link AsyncEngineMetrics} for
 * every {@link AsyncEngine} bean and for the reader's engine, each tagged with its
 * engine's name, and of {@link TransactionRetryMetrics} for the auto-configured
 * template's retried transactions. The timers need the engine to be built by the
 * auto-configuration; the gauges and counters work for a user's engine too.
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
	AsyncSqlMeterBinder asyncSqlMeterBinder(ObjectProvider<AsyncEngine> engines, ObjectProvider<ReadReplica> replicas) {
		return new AsyncSqlMeterBinder(engines, replicas);
	}

	@Bean
	@ConditionalOnMissingBean(name = "asyncEngineMetricsCustomizer")
	AsyncEngineCustomizer asyncEngineMetricsCustomizer(AsyncSqlMeterBinder asyncSqlMeterBinder) {
		return (builder) -> builder.listener(asyncSqlMeterBinder.listener());
	}

	@Bean
	@ConditionalOnMissingBean
	TransactionRetryMeters asyncSqlTransactionRetryMeters(ObjectProvider<AsyncEngine> engine) {
		AsyncEngine unique = engine.getIfUnique();
		return new TransactionRetryMeters((unique != null) ? unique.getName() : "main");
	}

}
