package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncSqlTransactionManager;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.ReactiveTransactionManager;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of an
 * {@link AsyncSqlTransactionManager} and a
 * {@link org.springframework.transaction.reactive.TransactionalOperator} on it, where
 * Reactor is present.
 * <p>
 * It runs after Spring Boot's {@code DataSourceTransactionManagerAutoConfiguration}, so
 * Boot's JDBC transaction manager never backs off for it, and its manager is a
 * {@link org.springframework.context.annotation.Fallback fallback} bean, so a plain
 * {@code @Transactional} method still finds Boot's manager as the default. A
 * {@code @Transactional} method that returns a reactive type ({@code Mono}, {@code Flux},
 * a Kotlin {@code suspend} function) and names no manager runs in an async-sql
 * transaction instead, unless {@code async-sql.transaction.route-reactive-methods} is
 * {@code false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { AsyncSqlAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
		TransactionManagerCustomizationAutoConfiguration.class }, before = TransactionAutoConfiguration.class)
@ConditionalOnClass({ Mono.class, ReactiveTransactionManager.class })
@ConditionalOnBooleanProperty(name = "async-sql.enabled", matchIfMissing = true)
@Import({ AsyncSqlTransactionManagerConfiguration.class, ReactiveTransactionRoutingConfiguration.class })
public final class AsyncSqlTransactionAutoConfiguration {

}
