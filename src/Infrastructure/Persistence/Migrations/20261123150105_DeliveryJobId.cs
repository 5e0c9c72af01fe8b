using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryJobId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "delivery_job_id",
                table: "messages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "delivery_job_id",
                table: "messages");
        }
    }
}
