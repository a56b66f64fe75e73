package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncEngine;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Configuration of the graceful shutdown of the context's {@link AsyncEngine}, whether
 * auto-configured or the user's own.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(AsyncEngine.class)
class AsyncEngineLifecycleConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AsyncEngineLifecycle asyncEngineLifecycle(AsyncEngine engine) {
		return new AsyncEngineLifecycle(engine);
	}

}
