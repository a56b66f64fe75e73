package io.asyncsql.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcOperations;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ReadReplica;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.support.CompositeRetryListener;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Configuration of the {@link AsyncJdbcTemplate} bean: with the context's
 * {@link ReadReplica} for its read-only views, the retry policy of
 * {@code async-sql.transaction.retry.*} and the {@link TransactionRetryListener} beans.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(AsyncEngine.class)
class AsyncJdbcTemplateConfiguration {

	/**
	 * Run the context's {@link JdbcTemplate}, so that {@code spring.jdbc.template.*} and
	 * a custom exception translator apply to async work too, unless it is on another data
	 * source. {@code async-sql.query-timeout} goes on a copy, leaving blocking users of
	 * the shared template untouched.
	 */
	@Bean
	@ConditionalOnMissingBean(AsyncJdbcOperations.class)
	AsyncJdbcTemplate asyncJdbcTemplate(AsyncEngine engine, ObjectProvider<JdbcTemplate> jdbcTemplate,
			AsyncSqlProperties properties, Environment environment, ObjectProvider<ReadReplica> readReplica,
			ObjectProvider<TransactionRetryListener> retryListeners) {
		AsyncEngineFactory factory = new AsyncEngineFactory(properties, environment);
		AsyncJdbcTemplate template = template(engine, jdbcTemplate, factory.queryTimeoutSeconds());
		ReadReplica replica = readReplica.getIfUnique();
		if (replica != null) {
			template = template.withReplica(replica);
		}
		RetryPolicy retryPolicy = TransactionRetryPolicy.of(properties.getTransaction().getRetry());
		if (retryPolicy != null) {
			template = template.withRetry(retryPolicy);
		}
		List<TransactionRetryListener> listeners = retryListeners.orderedStream().toList();
		if (!listeners.isEmpty()) {
			template = template.withRetryListener(new CompositeRetryListener(new ArrayList<>(listeners)));
		}
		return template;
	}

	private static AsyncJdbcTemplate template(AsyncEngine engine, ObjectProvider<JdbcTemplate> jdbcTemplate,
			@Nullable Integer queryTimeout) {
		JdbcTemplate shared = jdbcTemplate.getIfUnique();
		boolean sameDataSource = shared != null && shared.getDataSource() == engine.getDataSource();
		if (sameDataSource && queryTimeout == null) {
			return new AsyncJdbcTemplate(engine, shared);
		}
		JdbcTemplate template = sameDataSource ? copy(shared) : new JdbcTemplate(engine.getDataSource());
		if (queryTimeout != null) {
			template.setQueryTimeout(queryTimeout);
		}
		return new AsyncJdbcTemplate(engine, template);
	}

	private static JdbcTemplate copy(@Nullable JdbcTemplate source) {
		JdbcTemplate copy = new JdbcTemplate();
		if (source != null) {
			copy.setDataSource(source.getDataSource());
			copy.setExceptionTranslator(source.getExceptionTranslator());
			copy.setIgnoreWarnings(source.isIgnoreWarnings());
			copy.setFetchSize(source.getFetchSize());
			copy.setMaxRows(source.getMaxRows());
			copy.setQueryTimeout(source.getQueryTimeout());
			copy.setSkipResultsProcessing(source.isSkipResultsProcessing());
			copy.setSkipUndeclaredResults(source.isSkipUndeclaredResults());
			copy.setResultsMapCaseInsensitive(source.isResultsMapCaseInsensitive());
		}
		return copy;
	}

}
