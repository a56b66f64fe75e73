package io.asyncsql.autoconfigure.health;

import java.time.Duration;

import io.asyncsql.AsyncEngine;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.health.AsyncEngineHealthIndicator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code asyncSql} health
 * indicator, when Spring Boot's health support is present; turned off with
 * {@code management.health.async-sql.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = AsyncSqlAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnSingleCandidate(AsyncEngine.class)
@ConditionalOnEnabledHealthIndicator("async-sql")
public final class AsyncSqlHealthContributorAutoConfiguration {

	private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(5);

	@Bean
	@ConditionalOnMissingBean(name = { "asyncSqlHealthIndicator", "asyncSqlHealthContributor" })
	AsyncEngineHealthIndicator asyncSqlHealthIndicator(AsyncEngine engine,
			ObjectProvider<DataSourcePoolMetadataProvider> poolMetadataProviders) {
		DataSourcePoolMetadataProvider poolMetadataProvider = new CompositeDataSourcePoolMetadataProvider(
				poolMetadataProviders.orderedStream().toList());
		return new AsyncEngineHealthIndicator(engine, poolMetadataProvider, VALIDATION_TIMEOUT);
	}

}
