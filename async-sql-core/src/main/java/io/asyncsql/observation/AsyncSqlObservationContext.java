package io.asyncsql.observation;

import java.time.Duration;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * {@link Observation.Context} of an async-sql operation or of one of its phases: the
 * engine, the kind of operation, its SQL text (never its parameter values) and, once it
 * has ended, its outcome and timings.
 *
 * @since 0.1.0
 * @see AsyncSqlObservationDocumentation
 */
public class AsyncSqlObservationContext extends Observation.Context {

	private final AsyncSqlObservationDocumentation observation;

	private final String engineName;

	private final OperationKind kind;

	private final @Nullable String sql;

	private volatile OperationOutcome outcome = OperationOutcome.UNKNOWN;

	private volatile @Nullable Duration waitTime;

	private volatile @Nullable Duration executionTime;

	private volatile int batchSize;

	/**
	 * Create a context.
	 * @param observation which observation this is the context of: the operation or one
	 * of its phases
	 * @param engineName the engine's name
	 * @param kind the kind of operation
	 * @param sql the SQL text, or {@code null} when the operation has none of its own
	 */
	public AsyncSqlObservationContext(AsyncSqlObservationDocumentation observation, String engineName,
			OperationKind kind, @Nullable String sql) {
		Assert.notNull(observation, "'observation' must not be null");
		Assert.notNull(engineName, "'engineName' must not be null");
		Assert.notNull(kind, "'kind' must not be null");
		this.observation = observation;
		this.engineName = engineName;
		this.kind = kind;
		this.sql = sql;
	}

	/**
	 * Return which observation this is the context of.
	 * @return the operation or one of its phases
	 */
	public AsyncSqlObservationDocumentation getObservation() {
		return this.observation;
	}

	/**
	 * Return the name of the engine that runs the operation.
	 * @return the engine's name
	 */
	public String getEngineName() {
		return this.engineName;
	}

	/**
	 * Return the kind of operation.
	 * @return the kind
	 */
	public OperationKind getKind() {
		return this.kind;
	}

	/**
	 * Return the SQL text of the operation, without parameter values.
	 * @return the SQL, or {@code null} for a callback, connection or transaction
	 */
	public @Nullable String getSql() {
		return this.sql;
	}

	/**
	 * Return how the operation ended.
	 * @return the outcome, {@link OperationOutcome#UNKNOWN} until it has ended
	 */
	public OperationOutcome getOutcome() {
		return this.outcome;
	}

	/**
	 * Set how the operation ended.
	 * @param outcome the outcome
	 */
	public void setOutcome(OperationOutcome outcome) {
		Assert.notNull(outcome, "'outcome' must not be null");
		this.outcome = outcome;
	}

	/**
	 * Return how long the operation waited for a permit (for its turn on a connection).
	 * @return the wait, or {@code null} until known
	 */
	public @Nullable Duration getWaitTime() {
		return this.waitTime;
	}

	/**
	 * Set how long the operation waited.
	 * @param waitTime the wait
	 */
	public void setWaitTime(@Nullable Duration waitTime) {
		this.waitTime = waitTime;
	}

	/**
	 * Return how long the operation held its permit: ran on the database, or (for a
	 * connection, transaction or stream) held its connection.
	 * @return the time, {@link Duration#ZERO} for an operation that never ran, or
	 * {@code null} until known
	 */
	public @Nullable Duration getExecutionTime() {
		return this.executionTime;
	}

	/**
	 * Set how long the operation held its permit.
	 * @param executionTime the time
	 */
	public void setExecutionTime(@Nullable Duration executionTime) {
		this.executionTime = executionTime;
	}

	/**
	 * Return the size of the JDBC batch of coalesced updates the operation ran in.
	 * @return the size, or 0 when it did not run in a batch
	 */
	public int getBatchSize() {
		return this.batchSize;
	}

	/**
	 * Set the size of the batch the operation ran in.
	 * @param batchSize the size
	 */
	public void setBatchSize(int batchSize) {
		this.batchSize = batchSize;
	}

}
