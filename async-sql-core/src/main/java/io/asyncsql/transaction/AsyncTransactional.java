package io.asyncsql.transaction;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;

/**
 * Runs a method that returns a {@link java.util.concurrent.CompletableFuture} or
 * {@link java.util.concurrent.CompletionStage} in an async-sql transaction that ends with
 * the future, not with the method body: it commits when the returned stage completes
 * normally, and rolls back when it fails (as the rollback rules say, like
 * {@code @Transactional}'s: {@link RuntimeException} and {@link Error} by default) or
 * when the future the caller got is cancelled. Spring's {@code @Transactional} commits
 * such a method when its body returns, before the work it started has finished.
 * <p>
 * Which operations join, as
 * {@link io.asyncsql.AsyncJdbcTemplate#transactional(org.springframework.transaction.TransactionDefinition, java.util.function.Supplier)}
 * says: operations of the engine's {@code AsyncJdbcTemplate} and {@code AsyncJdbcClient}
 * started in the method body, and in stages chained (without an executor) on the futures
 * of joined operations. Operations started on other threads, or after the returned stage
 * has completed, run on their own connections. The body runs once the transaction has
 * begun, on an engine thread, and must not block.
 * <p>
 * Needs an {@link AsyncTransactionAdvisor} in the application context; the async-sql
 * starter registers one.
 *
 * @since 0.1.0
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface AsyncTransactional {

	/**
	 * How the transaction relates to one the caller's body already runs in.
	 * @return the propagation
	 */
	Propagation propagation() default Propagation.REQUIRED;

	/**
	 * The isolation level, applied for the transaction and restored after it.
	 * @return the isolation level
	 */
	Isolation isolation() default Isolation.DEFAULT;

	/**
	 * The timeout in seconds: one deadline for the wait for a connection, the body's
	 * stage and the commit; {@code -1} for none.
	 * @return the timeout
	 */
	int timeout() default -1;

	/**
	 * Whether the connection is read-only for the transaction.
	 * @return whether the transaction is read-only
	 */
	boolean readOnly() default false;

	/**
	 * Failures of the returned stage that roll back, beyond runtime exceptions and
	 * errors.
	 * @return the exception types
	 */
	Class<? extends Throwable>[] rollbackFor() default {};

	/**
	 * Failures of the returned stage that commit before the future fails with them.
	 * @return the exception types
	 */
	Class<? extends Throwable>[] noRollbackFor() default {};

}
