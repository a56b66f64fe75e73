package io.asyncsql.autoconfigure;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

import io.asyncsql.AsyncSqlTransactionManager;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.KotlinDetector;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.transaction.interceptor.DelegatingTransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.util.StringUtils;

/**
 * Sends {@code @Transactional} methods that return a reactive type to the context's
 * {@link AsyncSqlTransactionManager}.
 * <p>
 * Spring's {@code TransactionAspectSupport} picks a method's manager by its qualifier,
 * else by a qualifier on its class, else by the one default {@code TransactionManager}
 * bean; the return type plays no part, and a blocking manager given a {@code Mono} method
 * commits before the {@code Mono} runs. With Boot's JDBC manager and this one both in the
 * context, this post-processor wraps each {@link TransactionInterceptor}'s attribute
 * source so that a method returning a reactive type (other than a {@code CompletionStage}
 * or {@code Future}), or a Kotlin {@code suspend} function, whose attribute and class
 * name no manager gets this manager's bean name as its qualifier. It is priority-ordered
 * so that it is registered before the auto-proxy creator asks for the transaction
 * advisor, and with it the interceptor.
 */
final class ReactiveTransactionRouting implements BeanPostProcessor, BeanFactoryAware, PriorityOrdered {

	private @Nullable ListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof TransactionInterceptor interceptor && this.beanFactory != null) {
			TransactionAttributeSource source = interceptor.getTransactionAttributeSource();
			if (source != null && !(source instanceof RoutingAttributeSource)) {
				interceptor.setTransactionAttributeSource(new RoutingAttributeSource(source, this.beanFactory));
			}
		}
		return bean;
	}

	@Override
	public int getOrder() {
		return LOWEST_PRECEDENCE;
	}

	/**
	 * The attribute source that names the manager for reactive methods.
	 */
	static final class RoutingAttributeSource implements TransactionAttributeSource {

		private final TransactionAttributeSource delegate;

		private final ListableBeanFactory beanFactory;

		private final Map<Method, Boolean> reactive = new ConcurrentHashMap<>();

		private volatile @Nullable String managerName;

		RoutingAttributeSource(TransactionAttributeSource delegate, ListableBeanFactory beanFactory) {
			this.delegate = delegate;
			this.beanFactory = beanFactory;
		}

		@Override
		public boolean isCandidateClass(Class<?> targetClass) {
			return this.delegate.isCandidateClass(targetClass);
		}

		@Override
		public boolean hasTransactionAttribute(Method method, @Nullable Class<?> targetClass) {
			return this.delegate.hasTransactionAttribute(method, targetClass);
		}

		@Override
		public @Nullable TransactionAttribute getTransactionAttribute(Method method, @Nullable Class<?> targetClass) {
			TransactionAttribute attribute = this.delegate.getTransactionAttribute(method, targetClass);
			if (attribute == null || StringUtils.hasText(attribute.getQualifier())
					|| !this.reactive.computeIfAbsent(method, RoutingAttributeSource::returnsReactiveType)
					|| (targetClass != null
							&& StringUtils.hasText(BeanFactoryAnnotationUtils.getQualifierValue(targetClass)))) {
				return attribute;
			}
			String manager = managerName();
			if (manager == null) {
				return attribute;
			}
			return new DelegatingTransactionAttribute(attribute) {

				private static final long serialVersionUID = 1L;

				@Override
				public String getQualifier() {
					return manager;
				}

			};
		}

		private @Nullable String managerName() {
			String name = this.managerName;
			if (name == null) {
				String[] names = this.beanFactory.getBeanNamesForType(AsyncSqlTransactionManager.class);
				if (names.length != 1) {
					return null;
				}
				name = names[0];
				this.managerName = name;
			}
			return name;
		}

		private static boolean returnsReactiveType(Method method) {
			if (KotlinDetector.isSuspendingFunction(method)) {
				return true;
			}
			Class<?> type = method.getReturnType();
			if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)) {
				return false;
			}
			return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type) != null;
		}

	}

}
