package io.asyncsql.autoconfigure;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.transaction.interceptor.TransactionInterceptor;

/**
 * Configuration that sends reactive {@code @Transactional} methods to the
 * {@link io.asyncsql.AsyncSqlTransactionManager}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(TransactionInterceptor.class)
@ConditionalOnBooleanProperty(name = "async-sql.transaction.route-reactive-methods", matchIfMissing = true)
class ReactiveTransactionRoutingConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ReactiveTransactionRouting asyncSqlReactiveTransactionRouting() {
		return new ReactiveTransactionRouting();
	}

}
