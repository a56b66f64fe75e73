package io.asyncsql.transaction;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.asyncsql.AsyncJdbcTemplate;
import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.PointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * Applies an {@link AsyncTransactionInterceptor} to the methods annotated with
 * {@link AsyncTransactional}, for Spring's auto-proxying (register it as a bean with the
 * infrastructure role, as the async-sql starter does, or give it to a
 * {@code ProxyFactory}).
 *
 * @since 0.1.0
 */
public final class AsyncTransactionAdvisor implements PointcutAdvisor {

	private final AsyncTransactionInterceptor interceptor;

	private final Pointcut pointcut;

	/**
	 * Create an advisor whose transactions run on the given template.
	 * @param template the template, or a lookup of it done on the first call
	 */
	public AsyncTransactionAdvisor(Supplier<AsyncJdbcTemplate> template) {
		this.interceptor = new AsyncTransactionInterceptor(template);
		TransactionAttributeSource attributes = this.interceptor.getTransactionAttributeSource();
		this.pointcut = new StaticMethodMatcherPointcut() {

			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return attributes.getTransactionAttribute(method, targetClass) != null;
			}

		};
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
