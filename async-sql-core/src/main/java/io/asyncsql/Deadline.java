package io.asyncsql;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A point in time by which an operation must complete, covering queue wait and execution,
 * and the setting that chose it (for error messages).
 */
final class Deadline {

	static final Deadline NONE = new Deadline(Long.MAX_VALUE, null, null);

	private final long expiresAt;

	private final @Nullable Duration budget;

	private final @Nullable String setting;

	private Deadline(long expiresAt, @Nullable Duration budget, @Nullable String setting) {
		this.expiresAt = expiresAt;
		this.budget = budget;
		this.setting = setting;
	}

	static Deadline after(Duration budget) {
		return new Deadline(System.nanoTime() + budget.toNanos(), budget, null);
	}

	/**
	 * Return a deadline whose messages name the given setting, e.g. a transaction's
	 * timeout.
	 */
	static Deadline after(Duration budget, String setting) {
		return new Deadline(System.nanoTime() + budget.toNanos(), budget, setting);
	}

	/**
	 * Return whichever of two deadlines comes first.
	 */
	static Deadline earlier(Deadline one, Deadline other) {
		if (!other.isSet()) {
			return one;
		}
		if (!one.isSet()) {
			return other;
		}
		return (one.expiresAt - other.expiresAt <= 0) ? one : other;
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
		if (this.setting != null) {
			return this.setting;
		}
		return "the deadline of " + this.budget + " set by withTimeout(" + this.budget + ")";
	}

}
