package io.asyncsql;

/**
 * H2 specifics the tests share; its pools come from {@link TestDatabase#H2}.
 */
final class H2 {

	private H2() {
	}

	/**
	 * A query that keeps H2 busy far longer than any test waits, and checks for
	 * cancellation while it runs.
	 */
	static final String LONG_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X = 3";

}
