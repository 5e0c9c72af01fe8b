// Deliberately bad types: each breaks one rule, and CanaryTests expects the rule helpers to say so.
namespace Modular.ArchitectureTests.Canary.Application.Messaging.SendEmail
{
    /// <summary>A helper kept in one use case's folder...</summary>
    public static class SubjectRules
    {
        public static string Trim(string subject) => subject.Trim();
    }
}

namespace Modular.ArchitectureTests.Canary.Application.Messaging.Reschedule
{
    /// <summary>...and used from another use case: breaks "no use case uses another".</summary>
    public static class Rescheduler
    {
        public static string Subject(string subject) => SendEmail.SubjectRules.Trim(subject);
    }
}

namespace Modular.ArchitectureTests.Canary.Application.Common
{
    /// <summary>Breaks "Common uses no module".</summary>
    public static class SharedThing
    {
        public static string Subject(string subject) => Messaging.SendEmail.SubjectRules.Trim(subject);
    }
}
