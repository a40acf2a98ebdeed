import Foundation
import IngestKit

/// The Salesforce fields of a `Vacature__c` record as the portal's Aura payload names them.
enum VacatureFields {
    static let objectApiName = "Vacature__c"
    static let number = "Name"
    static let title = "Title__c"
    static let clientName = "Account__r.Name"
    static let location = "Location__c"
    static let hours = "Hours_Per_Week__c"
    static let rate = "Hourly_Rate__c"
    static let publicationDate = "Publication_Date__c"
    static let closingDate = "Closing_Date__c"
    static let status = "Status__c"
}
