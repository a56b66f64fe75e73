package io.asyncsql.transaction;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.TransactionAnnotationParser;
import org.springframework.transaction.interceptor.NoRollbackRuleAttribute;
import org.springframework.transaction.interceptor.RollbackRuleAttribute;
import org.springframework.transaction.interceptor.RuleBasedTransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttribute;

/**
 * Reads {@link AsyncTransactional} into a {@link RuleBasedTransactionAttribute}, for
 * Spring's {@code AnnotationTransactionAttributeSource} to find on methods, classes and
 * interfaces as it finds {@code @Transactional}.
 */
final class AsyncTransactionalAnnotationParser implements TransactionAnnotationParser {

	@Override
	public boolean isCandidateClass(Class<?> targetClass) {
		return AnnotationUtils.isCandidateClass(targetClass, AsyncTransactional.class);
	}

	@Override
	public @Nullable TransactionAttribute parseTransactionAnnotation(AnnotatedElement element) {
		AnnotationAttributes attributes = AnnotatedElementUtils.findMergedAnnotationAttributes(element,
				AsyncTransactional.class, false, false);
		return (attributes != null) ? parse(attributes) : null;
	}

	private TransactionAttribute parse(AnnotationAttributes attributes) {
		RuleBasedTransactionAttribute attribute = new RuleBasedTransactionAttribute();
		attribute.setPropagationBehavior(attributes.<Propagation>getEnum("propagation").value());
		attribute.setIsolationLevel(attributes.<Isolation>getEnum("isolation").value());
		attribute.setTimeout(attributes.getNumber("timeout").intValue());
		attribute.setReadOnly(attributes.getBoolean("readOnly"));
		List<RollbackRuleAttribute> rules = new ArrayList<>();
		for (Class<?> type : attributes.getClassArray("rollbackFor")) {
			rules.add(new RollbackRuleAttribute(type));
		}
		for (Class<?> type : attributes.getClassArray("noRollbackFor")) {
			rules.add(new NoRollbackRuleAttribute(type));
		}
		attribute.setRollbackRules(rules);
		return attribute;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof AsyncTransactionalAnnotationParser;
	}

	@Override
	public int hashCode() {
		return AsyncTransactionalAnnotationParser.class.hashCode();
	}

}
