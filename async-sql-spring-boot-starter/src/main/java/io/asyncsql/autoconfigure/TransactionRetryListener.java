package io.asyncsql.autoconfigure;

import org.springframework.core.retry.RetryListener;

/**
 * A {@link RetryListener} of the auto-configured template's retried transactions: beans
 * of this type hear of each retry, success after retries and exhaustion, as listeners of
 * a {@link org.springframework.core.retry.RetryTemplate} do. Meters use it; observations
 * can too.
 *
 * @since 0.1.0
 * @see io.asyncsql.AsyncJdbcTemplate#withRetryListener(RetryListener)
 */
public interface TransactionRetryListener extends RetryListener {

}
