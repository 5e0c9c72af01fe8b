using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ClaimScheduledToo : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messages_queued_due_at",
                table: "messages");

            migrationBuilder.CreateIndex(
                name: "ix_messages_claimable_due_at",
                table: "messages",
                column: "due_at",
                filter: "status IN ('Queued', 'Scheduled')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messages_claimable_due_at",
                table: "messages");

            migrationBuilder.CreateIndex(
                name: "ix_messages_queued_due_at",
                table: "messages",
                column: "due_at",
                filter: "status = 'Queued'");
        }
    }
}
