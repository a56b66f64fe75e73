package io.asyncsql;

/**
 * {@link ShutdownUnderLoadTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbShutdownUnderLoadTests extends ShutdownUnderLoadTests {

	MariaDbShutdownUnderLoadTests() {
		super(TestDatabase.MARIADB);
	}

}
