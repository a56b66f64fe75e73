package io.asyncsql.autoconfigure.observation;

import java.time.Duration;

import io.asyncsql.AsyncEngine;
import io.asyncsql.autoconfigure.AsyncEngineCustomizer;
import io.asyncsql.autoconfigure.AsyncSqlProperties;
import io.asyncsql.observation.AsyncSqlObservationConvention;
import io.asyncsql.observation.SlowOperationLogger;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the observations of the
 * auto-configured {@link AsyncEngine}: each operation is observed in the context's
 * {@link ObservationRegistry}, named and keyed by an
 * {@link AsyncSqlObservationConvention} bean when there is one, and operations slower
 * than {@code async-sql.observation.slow-threshold} are logged (with a registry of their
 * own when the context has none).
 *
 * @since 0.1.0
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "async-sql.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncSqlProperties.class)
public final class AsyncSqlObservationAutoConfiguration {

	private static final String SLOW_THRESHOLD = "async-sql.observation.slow-threshold";

	@Bean
	@ConditionalOnMissingBean(name = "asyncEngineObservationCustomizer")
	AsyncEngineCustomizer asyncEngineObservationCustomizer(ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<AsyncSqlObservationConvention> observationConvention,
			ObjectProvider<SlowOperationLogger> slowOperationLogger) {
		return (builder) -> {
			ObservationRegistry registry = observationRegistry.getIfUnique();
			SlowOperationLogger slowLog = slowOperationLogger.getIfUnique();
			if (registry == null && slowLog != null) {
				// No metrics or tracing: the slow-operation log still needs the
				// observations.
				registry = ObservationRegistry.create();
				registry.observationConfig().observationHandler(slowLog);
			}
			builder.observationRegistry(registry).observationConvention(observationConvention.getIfUnique());
		};
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(SLOW_THRESHOLD)
	SlowOperationLogger asyncSqlSlowOperationLogger(AsyncSqlProperties properties) {
		Duration threshold = properties.getObservation().getSlowThreshold();
		if (threshold == null || threshold.isZero() || threshold.isNegative()) {
			throw new InvalidConfigurationPropertyValueException(SLOW_THRESHOLD, threshold,
					"It must be a positive duration; remove it to log no slow operations.");
		}
		return new SlowOperationLogger(threshold);
	}

}
