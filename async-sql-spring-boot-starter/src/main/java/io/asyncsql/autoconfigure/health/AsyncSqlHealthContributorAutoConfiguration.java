package io.asyncsql.autoconfigure.health;

import java.time.Duration;

import io.asyncsql.AsyncEngine;
import io.asyncsql.ReadReplica;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.health.AsyncEngineHealthIndicator;
import io.asyncsql.health.ReadReplicaHealthIndicator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code asyncSql} health
 * indicator, and of {@code asyncSqlReader} for the reader when there is one, when Spring
 * Boot's health support is present; turned off with
 * {@code management.health.async-sql.enabled=false}. Each check is bounded by
 * {@code management.health.async-sql.timeout}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = AsyncSqlAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnSingleCandidate(AsyncEngine.class)
@ConditionalOnEnabledHealthIndicator("async-sql")
@EnableConfigurationProperties(AsyncSqlHealthIndicatorProperties.class)
public final class AsyncSqlHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "asyncSqlHealthIndicator", "asyncSqlHealthContributor" })
	AsyncEngineHealthIndicator asyncSqlHealthIndicator(AsyncEngine engine,
			ObjectProvider<DataSourcePoolMetadataProvider> poolMetadataProviders,
			AsyncSqlHealthIndicatorProperties properties) {
		return new AsyncEngineHealthIndicator(engine, poolMetadataProvider(poolMetadataProviders), timeout(properties));
	}

	/**
	 * The reader's side, as {@code asyncSqlReader}: its engine, pool and replay lag.
	 */
	@Bean
	@ConditionalOnBean(ReadReplica.class)
	@ConditionalOnMissingBean(name = { "asyncSqlReaderHealthIndicator", "asyncSqlReaderHealthContributor" })
	ReadReplicaHealthIndicator asyncSqlReaderHealthIndicator(ReadReplica replica,
			ObjectProvider<DataSourcePoolMetadataProvider> poolMetadataProviders,
			AsyncSqlHealthIndicatorProperties properties) {
		return new ReadReplicaHealthIndicator(replica, poolMetadataProvider(poolMetadataProviders),
				timeout(properties));
	}

	private static DataSourcePoolMetadataProvider poolMetadataProvider(
			ObjectProvider<DataSourcePoolMetadataProvider> poolMetadataProviders) {
		return new CompositeDataSourcePoolMetadataProvider(poolMetadataProviders.orderedStream().toList());
	}

	private static Duration timeout(AsyncSqlHealthIndicatorProperties properties) {
		Duration timeout = properties.getTimeout();
		if (timeout.isZero() || timeout.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("management.health.async-sql.timeout", timeout,
					"it must be positive. Set management.health.async-sql.timeout to a positive duration, or "
							+ "remove it to use the default.");
		}
		return timeout;
	}

}
