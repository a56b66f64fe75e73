package io.asyncsql.observation;

import java.time.Duration;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * {@link ObservationHandler} that logs one WARN line for each async-sql operation that
 * took longer than a threshold from submission to its end: its kind, engine, outcome,
 * wait and execution time, and its SQL text, never its parameter values. Register it with
 * the {@link io.micrometer.observation.ObservationRegistry} given to the engine (Spring
 * Boot does so when {@code async-sql.observation.slow-threshold} is set).
 *
 * @since 0.1.0
 */
public final class SlowOperationLogger implements ObservationHandler<AsyncSqlObservationContext> {

	private static final Log logger = LogFactory.getLog(SlowOperationLogger.class);

	private final Duration threshold;

	/**
	 * Create a logger of operations slower than the threshold.
	 * @param threshold a positive duration
	 */
	public SlowOperationLogger(Duration threshold) {
		Assert.notNull(threshold, "'threshold' must not be null");
		Assert.isTrue(threshold.compareTo(Duration.ZERO) > 0,
				() -> "'threshold' must be positive, but was " + threshold);
		this.threshold = threshold;
	}

	/**
	 * Return the threshold over which operations are logged.
	 * @return the threshold
	 */
	public Duration getThreshold() {
		return this.threshold;
	}

	@Override
	public void onStop(AsyncSqlObservationContext context) {
		Duration waited = orZero(context.getWaitTime());
		Duration ran = orZero(context.getExecutionTime());
		Duration total = waited.plus(ran);
		if (total.compareTo(this.threshold) > 0 && logger.isWarnEnabled()) {
			String sql = context.getSql();
			logger.warn("async-sql " + context.getKind().value() + " on engine '" + context.getEngineName() + "' took "
					+ total.toMillis() + " ms (waited " + waited.toMillis() + " ms, ran " + ran.toMillis()
					+ " ms, outcome " + context.getOutcome().value() + "), over async-sql.observation.slow-threshold ("
					+ this.threshold.toMillis() + " ms)" + ((sql != null) ? ": " + sql : ""));
		}
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof AsyncSqlObservationContext asyncSql
				&& asyncSql.getObservation() == AsyncSqlObservationDocumentation.OPERATION;
	}

	private static Duration orZero(@Nullable Duration duration) {
		return (duration != null) ? duration : Duration.ZERO;
	}

}
