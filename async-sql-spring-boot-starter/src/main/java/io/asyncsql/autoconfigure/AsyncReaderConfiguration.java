package io.asyncsql.autoconfigure;

import javax.sql.DataSource;

import io.asyncsql.ReadReplica;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * Configuration of the reader that the auto-configured template's read-only views run on,
 * when {@code async-sql.replica.url} is set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("async-sql.replica.url")
@ConditionalOnMissingBean(ReadReplica.class)
class AsyncReaderConfiguration {

	@Bean(destroyMethod = "close")
	ReaderEngine asyncSqlReaderEngine(DataSource dataSource, ObjectProvider<DataSourceProperties> dataSourceProperties,
			AsyncSqlProperties properties, Environment environment, ObjectProvider<TaskDecorator> taskDecorators) {
		return new ReaderEngine(properties, new AsyncEngineFactory(properties, environment), dataSource,
				dataSourceProperties.getIfUnique(), AsyncEngineConfiguration.taskDecorator(taskDecorators));
	}

	@Bean
	ReadReplica asyncSqlReadReplica(ReaderEngine asyncSqlReaderEngine) {
		return asyncSqlReaderEngine.replica();
	}

}
