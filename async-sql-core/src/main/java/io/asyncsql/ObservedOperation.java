package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.asyncsql.observation.AsyncSqlObservationContext;
import io.asyncsql.observation.AsyncSqlObservationDocumentation;
import io.asyncsql.observation.AsyncSqlObservationDocumentation.LowCardinalityKeyNames;
import io.asyncsql.observation.DefaultAsyncSqlObservationConvention;
import io.asyncsql.observation.OperationKind;
import io.asyncsql.observation.OperationOutcome;
import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.QueryTimeoutException;

/**
 * The Micrometer observation of one operation: an {@code asyncsql.operation} observation
 * from submission to its end, with two children, {@code asyncsql.operation.wait} until
 * the operation holds its permit and {@code asyncsql.operation.execution} while it holds
 * it.
 * <p>
 * Children rather than events, because a trace viewer draws a child as a bar of its own
 * with its duration, where an event is a mark that is easy to miss; and because the
 * execution child's scope is what JDBC-level observations on the engine thread become
 * children of, so the time on the database and what happened in it sit together.
 * <p>
 * The operation is created on the caller's thread, so the caller's current observation (a
 * WebFlux request, a scheduled job) is its parent; the execution's scope is opened on the
 * engine thread while the work runs. Observations of a connection, a transaction or a
 * stream execute until they end, and the operations run on that connection are children
 * of their execution.
 */
final class ObservedOperation extends OperationObservation {

	private static final Log logger = LogFactory.getLog(ObservedOperation.class);

	private static final DefaultAsyncSqlObservationConvention DEFAULT_CONVENTION = new DefaultAsyncSqlObservationConvention();

	private static final AtomicBoolean failureLogged = new AtomicBoolean();

	private final ObservedOperations observations;

	private final AsyncSqlObservationContext context;

	private final Observation operation;

	private final long createdAt = System.nanoTime();

	/**
	 * Whether the operation holds a connection until it ends, rather than while it runs.
	 */
	private final boolean holdsConnection;

	// Guarded by this.

	private @Nullable Observation wait;

	private @Nullable Observation execution;

	private long startedAt;

	private long executionNanos;

	private boolean executionStopped;

	private boolean ended;

	/** Confined to the engine thread running the work. */
	private Observation.@Nullable Scope scope;

	private @Nullable Steps steps;

	ObservedOperation(ObservedOperations observations, OperationKind kind, @Nullable String sql,
			@Nullable Observation parent) {
		this.observations = observations;
		this.holdsConnection = kind == OperationKind.CONNECTION || kind == OperationKind.TRANSACTION
				|| kind == OperationKind.STREAM;
		this.context = new AsyncSqlObservationContext(AsyncSqlObservationDocumentation.OPERATION,
				observations.engineName, kind, sql);
		this.operation = Observation.createNotStarted(observations.convention, DEFAULT_CONVENTION, () -> this.context,
				observations.registry);
		try {
			if (parent != null) {
				this.operation.parentObservation(parent);
				startInScopeOf(parent, this.operation);
			}
			else {
				this.operation.start();
			}
			this.wait = startPhase(AsyncSqlObservationDocumentation.WAIT, "asyncsql wait");
		}
		catch (RuntimeException ex) {
			handlerFailed(ex);
		}
	}

	private Observation startPhase(AsyncSqlObservationDocumentation which, String contextualName) {
		AsyncSqlObservationContext phase = new AsyncSqlObservationContext(which, this.context.getEngineName(),
				this.context.getKind(), this.context.getSql());
		Observation observation = Observation.createNotStarted(which.getName(), () -> phase, this.observations.registry)
			.contextualName(contextualName)
			.lowCardinalityKeyValue(LowCardinalityKeyNames.ENGINE.withValue(this.context.getEngineName()))
			.lowCardinalityKeyValue(LowCardinalityKeyNames.KIND.withValue(this.context.getKind().value()))
			.parentObservation(this.operation);
		return startInScopeOf(this.operation, observation);
	}

	/**
	 * Start an observation with its parent in scope: a tracer prefers the span current on
	 * the thread (the caller's, or one a task decorator restored on the engine thread) to
	 * the parent observation's.
	 */
	private static Observation startInScopeOf(Observation parent, Observation observation) {
		Observation.Scope scope = parent.openScope();
		try {
			return observation.start();
		}
		finally {
			scope.close();
		}
	}

	@Override
	void attach(EngineOperation<?> submitted) {
		submitted.observation = this;
		submitted.future.whenComplete((value, failure) -> {
			if (failure != null || !this.holdsConnection) {
				ended(failure);
			}
		});
	}

	@Override
	void started() {
		try {
			this.scope = startExecution().openScope();
		}
		catch (RuntimeException ex) {
			handlerFailed(ex);
		}
	}

	@Override
	void startedAside() {
		try {
			startExecution();
		}
		catch (RuntimeException ex) {
			handlerFailed(ex);
		}
	}

	private synchronized Observation startExecution() {
		if (this.execution == null) {
			this.startedAt = System.nanoTime();
			stopWait();
			this.execution = startPhase(AsyncSqlObservationDocumentation.EXECUTION, "asyncsql execution");
		}
		return this.execution;
	}

	@Override
	void batched(int size) {
		this.context.setBatchSize(size);
	}

	@Override
	void finished(@Nullable Throwable failure) {
		closeScope();
		if (!this.holdsConnection) {
			synchronized (this) {
				stopExecution(failure);
			}
		}
	}

	@Override
	void ended(@Nullable Throwable failure) {
		Throwable cause = (failure != null) ? EngineFailures.unwrap(failure) : null;
		synchronized (this) {
			if (this.ended) {
				return;
			}
			this.ended = true;
			try {
				long now = System.nanoTime();
				stopWait();
				stopExecution(cause);
				boolean started = this.execution != null;
				this.context.setWaitTime(Duration.ofNanos((started ? this.startedAt : now) - this.createdAt));
				this.context.setExecutionTime(Duration.ofNanos(this.executionNanos));
				this.context.setOutcome(outcome(cause));
				if (cause != null && !(cause instanceof CancellationException)) {
					this.operation.error(cause);
				}
				this.operation.stop();
			}
			catch (RuntimeException ex) {
				handlerFailed(ex);
			}
		}
	}

	@Override
	void connectionClosed(@Nullable Throwable failure) {
		if (this.context.getKind() == OperationKind.CONNECTION) {
			ended(failure);
		}
	}

	@Override
	OperationObservation endWith(CompletableFuture<?> future) {
		future.whenComplete((value, failure) -> ended(failure));
		return this;
	}

	@Override
	synchronized OperationObservation steps() {
		Steps current = this.steps;
		if (current == null) {
			current = new Steps();
			this.steps = current;
		}
		return current;
	}

	/**
	 * Return what operations run on this operation's connection become children of.
	 */
	synchronized Observation parentOfChildren() {
		return (this.execution != null) ? this.execution : this.operation;
	}

	private void stopWait() {
		Observation waiting = this.wait;
		if (waiting != null) {
			this.wait = null;
			waiting.stop();
		}
	}

	private void stopExecution(@Nullable Throwable failure) {
		Observation running = this.execution;
		if (running != null && !this.executionStopped) {
			this.executionStopped = true;
			this.executionNanos = System.nanoTime() - this.startedAt;
			try {
				if (failure != null && !(failure instanceof CancellationException)) {
					running.error(failure);
				}
				running.stop();
			}
			catch (RuntimeException ex) {
				handlerFailed(ex);
			}
		}
	}

	private void closeScope() {
		Observation.Scope open = this.scope;
		if (open != null) {
			this.scope = null;
			try {
				open.close();
			}
			catch (RuntimeException ex) {
				handlerFailed(ex);
			}
		}
	}

	private static OperationOutcome outcome(@Nullable Throwable failure) {
		if (failure == null) {
			return OperationOutcome.SUCCESS;
		}
		if (failure instanceof CancellationException) {
			return OperationOutcome.CANCELLED;
		}
		if (failure instanceof QueueTimeoutException) {
			return OperationOutcome.QUEUE_TIMEOUT;
		}
		if (failure instanceof QueryTimeoutException || failure instanceof StreamTimeoutException) {
			return OperationOutcome.STATEMENT_TIMEOUT;
		}
		if (failure instanceof EngineSaturatedException || failure instanceof EngineClosedException) {
			return OperationOutcome.REJECTED;
		}
		return OperationOutcome.ERROR;
	}

	private static void handlerFailed(RuntimeException ex) {
		// As with a failing AsyncEngineListener: the operation matters more than its
		// observation, and one warning is enough.
		String message = "An ObservationHandler failed on an async-sql observation; the operation goes on";
		if (failureLogged.compareAndSet(false, true)) {
			logger.warn(message + " (later failures are logged at debug level)", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

	/**
	 * The steps of a connection, transaction or stream (begin, commit, a stream's reads):
	 * they run in the scope of its execution.
	 */
	private final class Steps extends OperationObservation {

		/** Confined to the step running: a connection runs one at a time. */
		private Observation.@Nullable Scope scope;

		@Override
		void attach(EngineOperation<?> submitted) {
			submitted.observation = this;
		}

		@Override
		void started() {
			Observation running;
			synchronized (ObservedOperation.this) {
				running = ObservedOperation.this.executionStopped ? null : ObservedOperation.this.execution;
			}
			if (running != null) {
				try {
					this.scope = running.openScope();
				}
				catch (RuntimeException ex) {
					handlerFailed(ex);
				}
			}
		}

		@Override
		void finished(@Nullable Throwable failure) {
			Observation.Scope open = this.scope;
			if (open != null) {
				this.scope = null;
				try {
					open.close();
				}
				catch (RuntimeException ex) {
					handlerFailed(ex);
				}
			}
		}

	}

}
