package io.asyncsql.autoconfigure.metrics;

import io.asyncsql.autoconfigure.TransactionRetryListener;
import io.asyncsql.metrics.TransactionRetryMetrics;

/**
 * {@link TransactionRetryMetrics} as a {@link TransactionRetryListener}, so that the
 * auto-configured template tells them of its retries.
 */
final class TransactionRetryMeters extends TransactionRetryMetrics implements TransactionRetryListener {

	TransactionRetryMeters(String name) {
		super(name);
	}

}
