package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.reactor.ReactiveJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Configuration of the {@link ReactiveJdbcTemplate} and {@link ReactiveJdbcClient} beans,
 * where Reactor is present.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(Flux.class)
@ConditionalOnSingleCandidate(AsyncJdbcTemplate.class)
class ReactiveJdbcTemplateConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReactiveJdbcTemplate reactiveJdbcTemplate(AsyncJdbcTemplate asyncJdbcTemplate) {
		return new ReactiveJdbcTemplate(asyncJdbcTemplate);
	}

	@Bean
	@ConditionalOnMissingBean
	ReactiveJdbcClient reactiveJdbcClient(AsyncJdbcTemplate asyncJdbcTemplate) {
		return ReactiveJdbcClient.create(asyncJdbcTemplate);
	}

}
