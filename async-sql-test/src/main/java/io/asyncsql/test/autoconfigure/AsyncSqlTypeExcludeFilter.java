package io.asyncsql.test.autoconfigure;

import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;

/**
 * Keeps the application's components out of an {@link AsyncSqlTest @AsyncSqlTest} unless
 * its filters let them in.
 */
final class AsyncSqlTypeExcludeFilter extends StandardAnnotationCustomizableTypeExcludeFilter<AsyncSqlTest> {

	AsyncSqlTypeExcludeFilter(Class<?> testClass) {
		super(testClass);
	}

}
