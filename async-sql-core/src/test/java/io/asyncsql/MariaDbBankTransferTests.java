package io.asyncsql;

/**
 * {@link BankTransferTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbBankTransferTests extends BankTransferTests {

	MariaDbBankTransferTests() {
		super(TestDatabase.MARIADB);
	}

}
