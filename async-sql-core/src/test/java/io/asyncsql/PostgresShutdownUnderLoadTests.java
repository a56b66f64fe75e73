package io.asyncsql;

/**
 * {@link ShutdownUnderLoadTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresShutdownUnderLoadTests extends ShutdownUnderLoadTests {

	PostgresShutdownUnderLoadTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
