package io.asyncsql.autoconfigure;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;
import io.asyncsql.ReadReplica;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.StringUtils;

/**
 * The reader's pool and engine, built from {@code async-sql.replica.*}: owned by the
 * context, closed engine first, then pool. Not a {@link DataSource} bean, which would
 * stand beside the application's own and turn Spring Boot's DataSource auto-configuration
 * off.
 */
final class ReaderEngine implements AutoCloseable {

	/**
	 * Name of the reader's engine, seen in thread names, messages and meter tags.
	 */
	static final String ENGINE_NAME = "reader";

	private final HikariDataSource pool;

	private final AsyncEngine engine;

	private final ReadReplica replica;

	ReaderEngine(AsyncSqlProperties properties, AsyncEngineFactory factory, DataSource primary,
			@Nullable DataSourceProperties primaryProperties, @Nullable TaskDecorator taskDecorator) {
		AsyncSqlReplicaProperties settings = properties.getReplica();
		factory.validator().validateReplica();
		this.pool = pool(settings, primary, primaryProperties);
		try {
			AsyncEngineBuilder builder = factory.builder(this.pool, taskDecorator).name(ENGINE_NAME);
			builder.maxConcurrency(this.pool.getMaximumPoolSize());
			this.engine = builder.build();
		}
		catch (RuntimeException ex) {
			this.pool.close();
			throw ex;
		}
		this.replica = ReadReplica.builder(this.engine)
			.fallbackToPrimary(settings.isFallbackToPrimary())
			.recheckAfter(settings.getRecheckAfter())
			.build();
	}

	private static HikariDataSource pool(AsyncSqlReplicaProperties settings, DataSource primary,
			@Nullable DataSourceProperties primaryProperties) {
		HikariDataSource pool = DataSourceBuilder.create(ReaderEngine.class.getClassLoader())
			.type(HikariDataSource.class)
			.url(settings.getUrl())
			.username(firstNonNull(settings.getUsername(),
					(primaryProperties != null) ? primaryProperties.determineUsername() : null))
			.password(firstNonNull(settings.getPassword(),
					(primaryProperties != null) ? primaryProperties.determinePassword() : null))
			.build();
		pool.setPoolName("async-sql-reader");
		pool.setConnectionTimeout(settings.getConnectionTimeout().toMillis());
		Integer poolSize = settings.getPoolSize();
		if (poolSize == null) {
			poolSize = (primary instanceof HikariDataSource hikari) ? hikari.getMaximumPoolSize() : 10;
		}
		pool.setMaximumPoolSize(poolSize);
		return pool;
	}

	private static @Nullable String firstNonNull(@Nullable String first, @Nullable String second) {
		return StringUtils.hasText(first) ? first : second;
	}

	ReadReplica replica() {
		return this.replica;
	}

	@Override
	public void close() {
		try {
			this.engine.close();
		}
		finally {
			this.pool.close();
		}
	}

}
