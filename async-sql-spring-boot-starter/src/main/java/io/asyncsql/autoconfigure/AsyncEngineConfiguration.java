package io.asyncsql.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Configuration of the {@link AsyncEngine} bean.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(AsyncEngine.class)
class AsyncEngineConfiguration {

	@Bean(destroyMethod = "close")
	AsyncEngine asyncEngine(DataSource dataSource, AsyncSqlProperties properties, Environment environment,
			ObjectProvider<TaskDecorator> taskDecorators, ObjectProvider<AsyncEngineCustomizer> customizers) {
		AsyncEngineBuilder builder = new AsyncEngineFactory(properties, environment).builder(dataSource,
				taskDecorator(taskDecorators));
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	/**
	 * Apply the context's task decorators (MDC, tracing, security context) to engine
	 * work, as Spring Boot does for its own task executors.
	 */
	static @Nullable TaskDecorator taskDecorator(ObjectProvider<TaskDecorator> taskDecorators) {
		List<TaskDecorator> decorators = taskDecorators.orderedStream().toList();
		if (decorators.size() == 1) {
			return decorators.get(0);
		}
		return (!decorators.isEmpty()) ? new CompositeTaskDecorator(decorators) : null;
	}

}
