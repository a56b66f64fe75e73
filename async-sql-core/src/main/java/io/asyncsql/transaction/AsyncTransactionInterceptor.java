package io.asyncsql.transaction;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.asyncsql.AsyncJdbcTemplate;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.util.Assert;

/**
 * Runs the methods annotated with {@link AsyncTransactional} through
 * {@link AsyncJdbcTemplate#transactional}, so that their transaction ends with the future
 * they return.
 *
 * @since 0.1.0
 * @see AsyncTransactionAdvisor
 */
public final class AsyncTransactionInterceptor implements MethodInterceptor {

	private final Supplier<AsyncJdbcTemplate> template;

	private final TransactionAttributeSource attributes = new AnnotationTransactionAttributeSource(
			new AsyncTransactionalAnnotationParser());

	/**
	 * Create an interceptor that runs transactions on the given template, looked up on
	 * the first call so that the advisor can be created before the engine.
	 * @param template the template, or a lookup of it
	 */
	public AsyncTransactionInterceptor(Supplier<AsyncJdbcTemplate> template) {
		Assert.notNull(template, "'template' must not be null");
		this.template = template;
	}

	/**
	 * Return where this interceptor finds the transaction of a method.
	 * @return the source of {@link AsyncTransactional} attributes
	 */
	TransactionAttributeSource getTransactionAttributeSource() {
		return this.attributes;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		TransactionAttribute attribute = this.attributes.getTransactionAttribute(method,
				(target != null) ? AopUtils.getTargetClass(target) : null);
		if (attribute == null) {
			return invocation.proceed();
		}
		Class<?> returnType = method.getReturnType();
		Assert.state(returnType == CompletableFuture.class || returnType == CompletionStage.class,
				() -> "@AsyncTransactional method " + method.toGenericString()
						+ " must return CompletableFuture or CompletionStage, the future its transaction ends with");
		return this.template.get().transactional(attribute, () -> proceed(invocation));
	}

	private static CompletionStage<Object> proceed(MethodInvocation invocation) {
		try {
			@SuppressWarnings("unchecked")
			CompletionStage<Object> stage = (CompletionStage<Object>) invocation.proceed();
			return (stage != null) ? stage : CompletableFuture.failedFuture(new IllegalStateException(
					"@AsyncTransactional method " + invocation.getMethod().getName() + " returned null"));
		}
		catch (Throwable ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

}
