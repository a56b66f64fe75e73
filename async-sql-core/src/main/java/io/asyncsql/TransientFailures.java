package io.asyncsql;

import java.sql.SQLException;
import java.util.function.Predicate;

import org.springframework.core.retry.RetryPolicy;

/**
 * Which failures of a transaction are worth running it again for, to build a
 * {@link RetryPolicy} for
 * {@link AsyncJdbcTemplate#inTransaction(RetryPolicy, java.util.function.Function)}:
 * serialization failures and deadlocks (SQL states {@code 40001} and {@code 40P01},
 * MariaDB and MySQL errors 1213 and 1205), and, where asked for, the engine's own
 * transient refusals ({@link EngineSaturatedException}, {@link QueueTimeoutException}).
 *
 * @since 0.1.0
 */
public final class TransientFailures {

	private TransientFailures() {
	}

	/**
	 * Return whether the database rolled the transaction back so that it may succeed when
	 * run again: a serialization failure ({@code 40001}), a deadlock ({@code 40P01},
	 * MariaDB 1213) or a lock wait timeout (MariaDB 1205), anywhere in the cause chain.
	 * @param failure the failure of the transaction
	 * @return whether it is transient
	 */
	public static boolean isTransientTransactionFailure(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sqlException) {
				String state = sqlException.getSQLState();
				if ("40001".equals(state) || "40P01".equals(state)) {
					return true;
				}
				int code = sqlException.getErrorCode();
				if ((code == 1213 || code == 1205) && isMySqlFamily(sqlException)) {
					return true;
				}
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * MariaDB's and MySQL's codes are only theirs: another driver's 1205 means something
	 * else. Their lock errors carry SQL state 40001 (1213) or HY000/41000 (1205).
	 */
	private static boolean isMySqlFamily(SQLException ex) {
		String state = ex.getSQLState();
		return state == null || state.startsWith("40") || state.startsWith("41") || state.equals("HY000");
	}

	/**
	 * Return whether the engine refused to run the work for now: its queue was full or no
	 * permit came in time.
	 * @param failure the failure
	 * @return whether the engine refused transiently
	 */
	public static boolean isEngineRefusal(Throwable failure) {
		return failure instanceof EngineSaturatedException || failure instanceof QueueTimeoutException;
	}

	/**
	 * Return the test of a retry policy that retries transient transaction failures and,
	 * when asked, the engine's refusals.
	 * @param includeEngineRefusals whether the engine's transient refusals count too
	 * @return the test
	 */
	public static Predicate<Throwable> predicate(boolean includeEngineRefusals) {
		return (failure) -> isTransientTransactionFailure(failure)
				|| (includeEngineRefusals && isEngineRefusal(failure));
	}

	/**
	 * Return a builder of a {@link RetryPolicy} that retries only transient transaction
	 * failures (and the engine's refusals, when asked); set attempts and back-off on it.
	 * @param includeEngineRefusals whether the engine's transient refusals count too
	 * @return a policy builder
	 */
	public static RetryPolicy.Builder retryPolicy(boolean includeEngineRefusals) {
		return RetryPolicy.builder().predicate(predicate(includeEngineRefusals));
	}

}
