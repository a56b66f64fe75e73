package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.AsyncSqlTransactionManager;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Fallback;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Configuration of the {@link AsyncSqlTransactionManager} and its
 * {@link TransactionalOperator}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(AsyncJdbcTemplate.class)
class AsyncSqlTransactionManagerConfiguration {

	/**
	 * A fallback bean: where Boot's JDBC transaction manager (or any other) is defined,
	 * it stays the one a plain {@code getBean(TransactionManager.class)} and an unnamed
	 * {@code @Transactional} method find.
	 */
	@Bean
	@Fallback
	@ConditionalOnMissingBean(AsyncSqlTransactionManager.class)
	AsyncSqlTransactionManager asyncSqlTransactionManager(AsyncJdbcTemplate asyncJdbcTemplate,
			ObjectProvider<TransactionManagerCustomizers> customizers) {
		AsyncSqlTransactionManager manager = new AsyncSqlTransactionManager(asyncJdbcTemplate);
		customizers.ifAvailable((available) -> available.customize(manager));
		return manager;
	}

	@Bean
	@ConditionalOnMissingBean(TransactionalOperator.class)
	@ConditionalOnSingleCandidate(AsyncSqlTransactionManager.class)
	TransactionalOperator transactionalOperator(AsyncSqlTransactionManager asyncSqlTransactionManager) {
		return TransactionalOperator.create(asyncSqlTransactionManager);
	}

}
