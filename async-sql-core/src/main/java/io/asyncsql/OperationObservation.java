package io.asyncsql;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * What the engine tells the observation of one operation as it goes: created at
 * submission on the caller's thread, told on the engine thread when the work starts and
 * returns, and told once how the operation ended.
 * <p>
 * This base does nothing: it is what an engine without an ObservationRegistry uses, so
 * engine code calls it unconditionally and never loads a Micrometer type.
 */
class OperationObservation {

	static final OperationObservation NONE = new OperationObservation();

	/**
	 * Have the engine's operation run with this observation, which ends with its future
	 * (for a connection, transaction or stream: only when that future fails). Call before
	 * the operation is published to other threads.
	 */
	void attach(EngineOperation<?> operation) {
	}

	/**
	 * The operation holds its permit (or its turn on a lane) and its work starts; called
	 * on the engine thread, always followed by {@link #finished} on it.
	 */
	void started() {
	}

	/**
	 * The work starts as a member of a batch that another operation's worker runs: like
	 * {@link #started()}, but without a scope on the thread, which is that operation's.
	 */
	void startedAside() {
	}

	/**
	 * The operation runs in a JDBC batch of coalesced updates of the given size.
	 */
	void batched(int size) {
	}

	/**
	 * The work returned or threw; called on the engine thread.
	 */
	void finished(@Nullable Throwable failure) {
	}

	/**
	 * The operation ended: with a value when {@code failure} is {@code null}. Only the
	 * first call counts.
	 */
	void ended(@Nullable Throwable failure) {
	}

	/**
	 * The connection this observation covers was closed.
	 */
	void connectionClosed(@Nullable Throwable failure) {
	}

	/**
	 * End with the given future (a transaction's result).
	 * @return this observation
	 */
	OperationObservation endWith(CompletableFuture<?> future) {
		return this;
	}

	/**
	 * Return the observation that a connection's own steps (begin, commit, a stream's
	 * reads) run with: they are part of this operation, not operations of their own.
	 */
	OperationObservation steps() {
		return this;
	}

}
