package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.transaction.AsyncTransactionAdvisor;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Configuration of the {@link AsyncTransactionAdvisor} that runs
 * {@link io.asyncsql.transaction.AsyncTransactional @AsyncTransactional} methods, and of
 * the infrastructure auto-proxy creator that applies it (the one
 * {@code @EnableTransactionManagement} registers, when nothing registered one already).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(AopConfigUtils.class)
@Import(AsyncTransactionalConfiguration.AutoProxyRegistrar.class)
class AsyncTransactionalConfiguration {

	/**
	 * Static, with the infrastructure role: the auto-proxy creator needs the advisor
	 * before other beans exist, and the template is looked up on the first call.
	 */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static AsyncTransactionAdvisor asyncTransactionAdvisor(ObjectProvider<AsyncJdbcTemplate> asyncJdbcTemplate) {
		return new AsyncTransactionAdvisor(asyncJdbcTemplate::getObject);
	}

	static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
		}

	}

}
