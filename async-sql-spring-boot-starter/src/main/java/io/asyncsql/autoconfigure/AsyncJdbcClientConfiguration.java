package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcTemplate;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Configuration of the {@link AsyncJdbcClient} bean, sharing the template's
 * {@link org.springframework.jdbc.core.JdbcTemplate} settings.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(AsyncJdbcTemplate.class)
class AsyncJdbcClientConfiguration {

	@Bean
	@ConditionalOnMissingBean(AsyncJdbcClient.class)
	AsyncJdbcClient asyncJdbcClient(AsyncJdbcTemplate asyncJdbcTemplate) {
		return AsyncJdbcClient.create(asyncJdbcTemplate);
	}

}
