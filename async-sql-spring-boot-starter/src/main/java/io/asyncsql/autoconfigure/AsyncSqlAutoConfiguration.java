package io.asyncsql.autoconfigure;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of an {@link AsyncEngine} on the
 * context's {@link DataSource}, an {@link AsyncJdbcTemplate} and an
 * {@link io.asyncsql.AsyncJdbcClient} on top of it, a
 * {@link io.asyncsql.reactor.ReactiveJdbcTemplate} and
 * {@link io.asyncsql.reactor.ReactiveJdbcClient} where Reactor is present, the advisor of
 * {@link io.asyncsql.transaction.AsyncTransactional @AsyncTransactional} methods, and the
 * engine's graceful shutdown.
 * <p>
 * Each configuration backs off when the user defines the bean.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class })
@ConditionalOnClass({ DataSource.class, JdbcTemplate.class })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "async-sql.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncSqlProperties.class)
@Import({ AsyncEngineConfiguration.class, AsyncReaderConfiguration.class, AsyncJdbcTemplateConfiguration.class,
		AsyncJdbcClientConfiguration.class, ReactiveJdbcTemplateConfiguration.class,
		AsyncTransactionalConfiguration.class, AsyncEngineLifecycleConfiguration.class })
public final class AsyncSqlAutoConfiguration {

}
