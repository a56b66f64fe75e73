package io.asyncsql;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A point in time by which an operation must complete, covering queue wait and execution,
 * and the setting that chose it (for error messages).
 */
final class Deadline {

	static final Deadline NONE = new Deadline(Long.MAX_VALUE, null);

	private final long expiresAt;

	private final @Nullable Duration budget;

	private Deadline(long expiresAt, @Nullable Duration budget) {
		this.expiresAt = expiresAt;
		this.budget = budget;
	}

	static Deadline after(Duration budget) {
		return new Deadline(System.nanoTime() + budget.toNanos(), budget);
	}

	boolean isSet() {
		return this.budget != null;
	}

	long expiresAt() {
		return this.expiresAt;
	}

	long remainingNanos() {
		return this.expiresAt - System.nanoTime();
	}

	String describe() {
		return "the deadline of " + this.budget + " set by withTimeout(" + this.budget + ")";
	}

}
